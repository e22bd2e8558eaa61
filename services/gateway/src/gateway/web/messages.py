"""Texts made in Python outside the gateway's templates, marked here for the catalogues.

The platform's error pages, and labels of features whose Python this package does not own,
reach the templates as Polish strings; templates translate them with _() and the catalogue
finds them because they are listed here.
"""

from gateway.web.i18n import N_

ERROR_PAGES = [
    N_("Nieprawidłowe żądanie"),
    N_("Nie udało się przetworzyć żądania. Sprawdź dane i spróbuj ponownie."),
    N_("Zaloguj się"),
    N_("Ta strona wymaga zalogowania."),
    N_("Brak dostępu"),
    N_("Nie masz uprawnień do tej strony."),
    N_("Nie znaleziono strony"),
    N_("Strona, której szukasz, nie istnieje lub została przeniesiona."),
    N_("Niedozwolona operacja"),
    N_("Tej operacji nie można wykonać na tej stronie."),
    N_("Nieprawidłowe dane"),
    N_("Formularz zawiera błędy. Popraw je i wyślij ponownie."),
    N_("Zbyt wiele prób"),
    N_("Wysłano zbyt wiele żądań. Odczekaj chwilę i spróbuj ponownie."),
    N_("Błąd serwisu"),
    N_(
        "Wystąpił nieoczekiwany błąd. Spróbuj ponownie za chwilę; jeśli błąd się powtarza, "
        "skontaktuj się z urzędem."
    ),
    N_("Usługa chwilowo niedostępna"),
    N_("Część systemu jest chwilowo niedostępna. Spróbuj ponownie za chwilę."),
    N_("Formularz wygasł lub nie pochodzi z tej strony. Odśwież stronę i spróbuj ponownie."),
    N_("Nie ma takiej sprawy."),
]

BILLING = [
    N_("do zapłaty"),
    N_("po terminie"),
    N_("płatność w trakcie"),
    N_("zapłacona"),
    N_("rozpoczęta — czeka na potwierdzenie operatora"),
    N_("w trakcie"),
    N_("zaksięgowana"),
    N_("nieudana"),
    N_("online"),
    N_("przelew na rachunek"),
    N_("w kasie urzędu"),
    N_("Faktura VAT"),
    N_("Zawiadomienie"),
    N_("Decyzja"),
    N_("Rata"),
    N_("Upomnienie"),
    N_("Faktura korygująca"),
    N_("Pismo"),
    N_("Dokument"),
    N_("dokumentu"),
    N_("należności"),
]

ACCOUNT = [
    N_("aktywne — czeka na potwierdzenie tożsamości w urzędzie"),
    N_("zweryfikowane w urzędzie"),
    N_("zawieszone"),
]

CONTACT = [
    N_("Wszystkie"),
    N_("Oczekujące"),
    N_("Z odpowiedzią"),
    N_("Zamknięte"),
    N_("Decyzje o moich odczytach wodomierza (przyjęty, poprawiony, odrzucony)"),
    N_("Nowe dokumenty: faktury, zawiadomienia o opłacie, upomnienia"),
    N_("Zaksięgowane wpłaty"),
    N_("Przypomnienia przed terminem odczytu i terminem płatności"),
]

WATER = [
    N_("Wodomierz główny"),
    N_("Podlicznik ogrodowy"),
    N_("Wodomierz ścieków"),
    N_("rozliczeniowa"),
    N_("szacunkowa"),
    N_("podany przez odbiorcę"),
    N_("wprowadzony przez urząd"),
    N_("szacunkowy"),
    N_("wymiana wodomierza"),
    N_("czeka na weryfikację"),
    N_("przyjęty"),
    N_("poprawiony przez urząd"),
    N_("odrzucony"),
    N_("zastąpiony nowszym odczytem"),
]

WASTE = [
    N_("od liczby mieszkańców"),
    N_("od zużycia wody (m³)"),
    N_("od powierzchni lokalu (m²)"),
    N_("od gospodarstwa domowego"),
    N_("od pojemnika × liczby odbiorów"),
    N_("ryczałt roczny za domek letniskowy"),
    N_("brak obowiązku (wyprowadzka, sprzedaż)"),
    N_("złożona, czeka na potwierdzenie urzędu"),
    N_("przyjęta"),
    N_("odrzucona"),
]
