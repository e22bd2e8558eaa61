"""A small message catalogue, Polish first and English; keys are stable ids (Babel later)."""

from __future__ import annotations

from starlette.requests import Request

LANGUAGES = ("pl", "en")

FIELDS = {
    "pl": {
        "first_name": "Imię",
        "last_name": "Nazwisko",
        "pesel": "PESEL",
        "email": "Adres e-mail",
        "phone": "Telefon",
        "street": "Ulica i numer (lub miejscowość i numer)",
        "postal_code": "Kod pocztowy",
        "city": "Miejscowość",
        "password": "Hasło",
        "password_confirm": "Powtórz hasło",
        "new_password": "Nowe hasło",
        "new_password_confirm": "Powtórz nowe hasło",
        "company_name": "Nazwa firmy lub instytucji",
        "nip": "NIP",
        "regon": "REGON",
        "representative": "Imię i nazwisko osoby reprezentującej",
        "consent": "Zgoda",
        "code": "Kod z aplikacji",
        "document_type": "Rodzaj dokumentu",
        "payer_id": "Numer płatnika",
    },
    "en": {
        "first_name": "First name",
        "last_name": "Last name",
        "pesel": "PESEL",
        "email": "E-mail address",
        "phone": "Phone",
        "street": "Street and number",
        "postal_code": "Postal code",
        "city": "Town",
        "password": "Password",
        "password_confirm": "Repeat password",
        "new_password": "New password",
        "new_password_confirm": "Repeat the new password",
        "company_name": "Company or institution name",
        "nip": "NIP (tax id)",
        "regon": "REGON",
        "representative": "Representative's full name",
        "consent": "Consent",
        "code": "Code from the app",
        "document_type": "Document type",
        "payer_id": "Payer number",
    },
}

ERRORS = {
    "pl": {
        "required": "To pole jest wymagane.",
        "too_long": "Za długi tekst.",
        "name_chars": "Może zawierać tylko litery, spacje, łącznik i apostrof.",
        "email_invalid": "To nie jest poprawny adres e-mail (np. jan.kowalski@example.pl).",
        "pesel_format": "PESEL musi mieć 11 cyfr i zawierać poprawną datę urodzenia.",
        "pesel_checksum": "Nieprawidłowy PESEL: cyfra kontrolna się nie zgadza.",
        "pesel_future": "Nieprawidłowy PESEL: data urodzenia jest w przyszłości.",
        "nip_format": "NIP musi mieć 10 cyfr.",
        "nip_checksum": "Nieprawidłowy NIP: cyfra kontrolna się nie zgadza.",
        "regon_format": "REGON musi mieć 9 albo 14 cyfr.",
        "regon_checksum": "Nieprawidłowy REGON: cyfra kontrolna się nie zgadza.",
        "postal_format": "Kod pocztowy w postaci 00-000.",
        "phone_format": "Numer telefonu: 9–15 cyfr, może zaczynać się od +.",
        "password_short": "Hasło musi mieć co najmniej 12 znaków.",
        "password_long": "Hasło może mieć najwyżej 128 znaków.",
        "password_personal": "Hasło nie może zawierać Twojego imienia, nazwiska, adresu e-mail ani numeru PESEL/NIP.",
        "password_mismatch": "Hasła nie są takie same.",
        "password_same": "Musi być inne niż hasło tymczasowe, którym się zalogowałeś(-aś).",
        "consent_required": "Potwierdź, że zapoznałeś się z informacją o przetwarzaniu danych.",
        "code_invalid": "Nieprawidłowy kod. Wpisz aktualny 6-cyfrowy kod z aplikacji.",
    },
    "en": {
        "required": "This field is required.",
        "too_long": "Text too long.",
        "name_chars": "Only letters, spaces, hyphens and apostrophes.",
        "email_invalid": "This is not a valid e-mail address.",
        "pesel_format": "PESEL must have 11 digits with a valid date of birth.",
        "pesel_checksum": "Invalid PESEL: the check digit does not match.",
        "pesel_future": "Invalid PESEL: the date of birth is in the future.",
        "nip_format": "NIP must have 10 digits.",
        "nip_checksum": "Invalid NIP: the check digit does not match.",
        "regon_format": "REGON must have 9 or 14 digits.",
        "regon_checksum": "Invalid REGON: the check digit does not match.",
        "postal_format": "Postal code as 00-000.",
        "phone_format": "Phone number: 9–15 digits, may start with +.",
        "password_short": "The password must have at least 12 characters.",
        "password_long": "The password may have at most 128 characters.",
        "password_personal": "The password must not contain your name, e-mail address or PESEL/NIP.",
        "password_mismatch": "The passwords differ.",
        "password_same": "It must differ from the temporary password you logged in with.",
        "consent_required": "Confirm that you have read the data-processing information.",
        "code_invalid": "Wrong code. Enter the current 6-digit code from the app.",
    },
}

TEXT = {
    "pl": {
        "lang_switch": "English",
        "lang_other": "en",
        "register_title": "Załóż konto",
        "register_person": "Osoba fizyczna",
        "register_company": "Firma lub instytucja",
        "register_intro": "Po rejestracji wyślemy link aktywacyjny na podany adres e-mail. Pełny dostęp do danych o należnościach otrzymasz po potwierdzeniu tożsamości w urzędzie.",
        "consent_text": "Zapoznałem(-am) się z informacją o przetwarzaniu danych osobowych przez Urząd Gminy.",
        "optional": "(nieobowiązkowe)",
        "submit_register": "Zarejestruj",
        "errors_summary": "Popraw zaznaczone pola:",
        "password_hint": "Co najmniej 12 znaków; nie może zawierać imienia, nazwiska, e-maila ani PESEL/NIP.",
        "sent_title": "Sprawdź pocztę",
        "sent_text": "Jeśli podane dane są poprawne, na adres e-mail wysłaliśmy wiadomość z linkiem aktywacyjnym. Link jest ważny 48 godzin i można go użyć tylko raz.",
        "resend_title": "Wyślij link aktywacyjny ponownie",
        "resend_submit": "Wyślij link",
        "resend_done": "Jeśli konto z tym adresem czeka na aktywację, wysłaliśmy nowy link. Poprzednie linki przestały działać.",
        "activate_title": "Aktywacja konta",
        "activate_submit": "Aktywuj konto",
        "activate_confirm": "Kliknij przycisk, aby aktywować konto.",
        "activated": "Konto zostało aktywowane. Możesz się zalogować.",
        "link_invalid": "Ten link jest nieprawidłowy. Sprawdź, czy skopiowano go w całości.",
        "link_expired": "Ten link wygasł. Poproś o nowy.",
        "link_used": "Ten link został już użyty. Każdego linku można użyć tylko raz.",
        "login_title": "Logowanie",
        "login_submit": "Zaloguj",
        "forgot": "Nie pamiętam hasła",
        "no_account": "Nie masz konta?",
        "register_link": "Zarejestruj się",
        "bad_credentials": "Nieprawidłowy adres e-mail lub hasło.",
        "locked": "Konto zostało czasowo zablokowane po wielu nieudanych próbach logowania. Spróbuj ponownie po {until} albo ustaw nowe hasło.",
        "address_blocked": "Zbyt wiele nieudanych prób logowania z tego adresu. Spróbuj ponownie po {until}.",
        "not_activated": "Konto nie zostało jeszcze aktywowane. Kliknij link z e-maila albo wyślij go ponownie.",
        "suspended": "Konto zostało zawieszone. Skontaktuj się z urzędem.",
        "totp_title": "Drugi składnik logowania",
        "totp_prompt": "Wpisz 6-cyfrowy kod z aplikacji uwierzytelniającej.",
        "totp_enrol_title": "Skonfiguruj aplikację uwierzytelniającą",
        "totp_enrol_text": "Pracownicy urzędu logują się z drugim składnikiem. Zeskanuj kod QR aplikacją (np. FreeOTP, Google Authenticator, Aegis) albo wpisz klucz ręcznie, a potem podaj wygenerowany kod.",
        "totp_key": "Klucz do wpisania ręcznie",
        "totp_submit": "Potwierdź",
        "reset_title": "Nie pamiętam hasła",
        "reset_submit": "Wyślij link do zmiany hasła",
        "reset_sent": "Jeśli konto z tym adresem istnieje, wysłaliśmy link do ustawienia nowego hasła. Link jest ważny 60 minut.",
        "new_password_title": "Ustaw nowe hasło",
        "new_password_submit": "Zapisz nowe hasło",
        "password_changed": "Hasło zostało zmienione. Zaloguj się nowym hasłem.",
        "change_password_intro": "Hasło do tego konta nadała inna osoba przy jego zakładaniu. Zanim przejdziesz dalej, ustaw własne hasło — znane tylko Tobie.",
        "change_password_expired": "Minął czas na ustawienie nowego hasła. Zaloguj się ponownie hasłem tymczasowym.",
        "logged_out": "Wylogowano.",
        "logout_confirm": "Czy na pewno chcesz się wylogować?",
        "logout_submit": "Wyloguj",
        "staff_only": "Zaplecze jest dostępne tylko dla pracowników urzędu.",
        "home_title": "Konto w Portalu Komunalnym",
        "go_portal": "Przejdź do portalu mieszkańca",
        "login_link": "Zaloguj się",
    },
    "en": {
        "lang_switch": "Polski",
        "lang_other": "pl",
        "register_title": "Create an account",
        "register_person": "Natural person",
        "register_company": "Company or institution",
        "register_intro": "We will send an activation link to your e-mail address. Full access to your charges follows once your identity is confirmed at the municipal office.",
        "consent_text": "I have read the information on how the municipal office processes personal data.",
        "optional": "(optional)",
        "submit_register": "Register",
        "errors_summary": "Please correct the marked fields:",
        "password_hint": "At least 12 characters; must not contain your name, e-mail or PESEL/NIP.",
        "sent_title": "Check your e-mail",
        "sent_text": "If the data you entered is correct, we have sent you an activation link. It is valid for 48 hours and works once.",
        "resend_title": "Send the activation link again",
        "resend_submit": "Send the link",
        "resend_done": "If an account with this address awaits activation, we have sent a new link. Earlier links no longer work.",
        "activate_title": "Account activation",
        "activate_submit": "Activate the account",
        "activate_confirm": "Press the button to activate your account.",
        "activated": "Your account is active. You can log in now.",
        "link_invalid": "This link is not valid. Check that it was copied completely.",
        "link_expired": "This link has expired. Ask for a new one.",
        "link_used": "This link has already been used. Each link works once.",
        "login_title": "Log in",
        "login_submit": "Log in",
        "forgot": "Forgot your password?",
        "no_account": "No account yet?",
        "register_link": "Register",
        "bad_credentials": "Wrong e-mail address or password.",
        "locked": "The account is temporarily locked after many failed logins. Try again after {until} or set a new password.",
        "address_blocked": "Too many failed logins from this address. Try again after {until}.",
        "not_activated": "The account is not activated yet. Use the link from the e-mail or send it again.",
        "suspended": "The account is suspended. Please contact the office.",
        "totp_title": "Second factor",
        "totp_prompt": "Enter the 6-digit code from your authenticator app.",
        "totp_enrol_title": "Set up your authenticator app",
        "totp_enrol_text": "Office staff log in with a second factor. Scan the QR code with an app (e.g. FreeOTP, Google Authenticator, Aegis) or type the key, then enter the code it shows.",
        "totp_key": "Key to type by hand",
        "totp_submit": "Confirm",
        "reset_title": "Forgot your password",
        "reset_submit": "Send the link",
        "reset_sent": "If an account with this address exists, we have sent a link to set a new password. It is valid for 60 minutes.",
        "new_password_title": "Set a new password",
        "new_password_submit": "Save the new password",
        "password_changed": "Your password has been changed. Log in with the new one.",
        "change_password_intro": "The password of this account was set by someone else when the account was created. Before you continue, set your own password that only you know.",
        "change_password_expired": "The time to set a new password has run out. Log in again with the temporary password.",
        "logged_out": "You have been logged out.",
        "logout_confirm": "Do you want to log out?",
        "logout_submit": "Log out",
        "staff_only": "The back office is for municipal staff only.",
        "home_title": "Portal Komunalny account",
        "go_portal": "Go to the residents' portal",
        "login_link": "Log in",
    },
}


def language(request: Request) -> str:
    """?lang= wins (and is remembered in the session), then the session, then Polish."""
    asked = request.query_params.get("lang", "")
    if asked in LANGUAGES:
        request.session["lang"] = asked
        return asked
    saved = request.session.get("lang", "pl")
    return saved if saved in LANGUAGES else "pl"


def translator(lang: str):  # type: ignore[no-untyped-def]
    """`t(key, **values)` for templates."""

    def t(key: str, **values: object) -> str:
        text = TEXT[lang].get(key) or TEXT["pl"].get(key, key)
        return text.format(**values) if values else text

    return t


def field_error(lang: str, field: str, code: str) -> str:
    """The message shown next to a field; it names the field."""
    label = FIELDS[lang].get(field, field)
    return f"{label}: {ERRORS[lang].get(code, code)}"
