"""Registration, activation and resending over HTTP against a running identity."""

from __future__ import annotations

from identity_test_helpers import COMPANY, PERSON, last_link, outbox_events, path_of, submit
from sqlalchemy import func, select

from identity.accounts import events
from identity.accounts.models import Account


async def count_accounts(rt) -> int:
    async with rt.db.sessions() as s:
        return int((await s.execute(select(func.count()).select_from(Account))).scalar_one())


async def test_person_registers_and_activates_once(identity, browser):
    r = await submit(browser, "/rejestracja/osoba", "/rejestracja/osoba", PERSON)
    assert r.status_code == 303 and r.headers["location"] == "/wyslano"
    link = await last_link(identity, events.ACTIVATION, PERSON["email"])
    page = await browser.get(path_of(link))
    assert page.status_code == 200 and "Aktywuj konto" in page.text
    r = await submit(
        browser,
        path_of(link),
        "/aktywacja",
        {"token": path_of(link).split("token=")[1].split("&")[0]},
    )
    assert r.status_code == 200 and "Konto zostało aktywowane" in r.text
    async with identity.db.sessions() as s:
        account = (await s.execute(select(Account))).scalar_one()
    assert account.state == "active" and account.kind == "person"
    again = await browser.get(path_of(link))
    assert again.status_code == 410 and "został już użyty" in again.text


async def test_company_registers(identity, browser):
    r = await submit(browser, "/rejestracja/firma", "/rejestracja/firma", COMPANY)
    assert r.status_code == 303
    async with identity.db.sessions() as s:
        account = (await s.execute(select(Account))).scalar_one()
    assert (account.kind, account.nip, account.regon, account.state) == (
        "company",
        "5261040828",
        "012100784",
        "registered",
    )


async def test_existing_email_reveals_nothing_and_mails_the_owner(identity, browser):
    await submit(browser, "/rejestracja/osoba", "/rejestracja/osoba", PERSON)
    other = {**PERSON, "first_name": "Ewa", "pesel": "90010112349"}
    r = await submit(browser, "/rejestracja/osoba", "/rejestracja/osoba", other)
    assert r.status_code == 303 and r.headers["location"] == "/wyslano"
    assert await count_accounts(identity) == 1
    dup = await outbox_events(identity, events.DUPLICATE)
    assert [d.email for d in dup] == [PERSON["email"]]


async def test_bad_identifiers_are_refused_field_by_field_and_nothing_stored(identity, browser):
    bad = {
        **PERSON,
        "pesel": "02070803629",
        "password": "krotkie",
        "password_confirm": "krotkie",
        "postal_code": "21075",
        "email": "nie-email",
    }
    r = await submit(browser, "/rejestracja/osoba", "/rejestracja/osoba", bad)
    assert r.status_code == 422
    assert "PESEL: Nieprawidłowy PESEL: cyfra kontrolna się nie zgadza." in r.text
    assert "Hasło: Hasło musi mieć co najmniej 12 znaków." in r.text
    assert "Kod pocztowy: Kod pocztowy w postaci 00-000." in r.text
    assert "Adres e-mail: To nie jest poprawny adres e-mail" in r.text
    assert 'aria-describedby="e-pesel' in r.text and 'aria-invalid="true"' in r.text
    bad_company = {**COMPANY, "nip": "5261040829", "regon": "012100785"}
    r = await submit(browser, "/rejestracja/firma", "/rejestracja/firma", bad_company)
    assert r.status_code == 422
    assert "Nieprawidłowy NIP: cyfra kontrolna się nie zgadza." in r.text
    assert "Nieprawidłowy REGON: cyfra kontrolna się nie zgadza." in r.text
    assert await count_accounts(identity) == 0
    assert await outbox_events(identity, events.ACTIVATION) == []


async def test_form_without_csrf_is_refused(identity, browser):
    await browser.get("/rejestracja/osoba")
    r = await browser.post("/rejestracja/osoba", data=PERSON)
    assert r.status_code == 403
    assert await count_accounts(identity) == 0


async def test_resend_gives_a_new_link_and_the_old_one_stops(identity, browser):
    await submit(browser, "/rejestracja/osoba", "/rejestracja/osoba", PERSON)
    first = await last_link(identity, events.ACTIVATION, PERSON["email"])
    r = await submit(browser, "/aktywacja/ponow", "/aktywacja/ponow", {"email": PERSON["email"]})
    assert r.status_code == 200
    second = await last_link(identity, events.ACTIVATION, PERSON["email"])
    assert first != second
    assert (await browser.get(path_of(first))).status_code == 410
    assert (await browser.get(path_of(second))).status_code == 200
    unknown = await submit(
        browser, "/aktywacja/ponow", "/aktywacja/ponow", {"email": "nikt@example.pl"}
    )
    assert unknown.status_code == 200 and unknown.text.count("Jeśli konto") == 1


async def test_english_pages(identity, browser):
    r = await browser.get("/rejestracja/osoba?lang=en")
    assert "Create an account" in r.text and 'lang="en"' in r.text
