"""Login security: lockout after 20 failures, address throttling, TOTP for staff, password reset."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pyotp
from identity_test_helpers import (
    PASSWORD,
    PERSON,
    base_url,
    csrf_of,
    last_link,
    make_resident,
    make_staff,
    path_of,
    start_identity,
    submit,
)
from sqlalchemy import select

from identity.accounts import events
from identity.accounts.models import Account
from identity.audit.models import AuditEntry
from identity.clock import now


async def login(browser: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await submit(
        browser, "/logowanie", "/logowanie", {"email": email, "password": password, "next": "/"}
    )


async def test_twenty_wrong_passwords_lock_the_account_and_say_so(identity, browser):
    await make_resident(identity)
    for i in range(19):
        r = await login(browser, PERSON["email"], f"zle-haslo-{i:02d}-xxxx")
        assert r.status_code == 401 and "Nieprawidłowy adres e-mail lub hasło." in r.text
    r = await login(browser, PERSON["email"], "zle-haslo-20-xxxx")
    assert r.status_code == 423 and "czasowo zablokowane" in r.text
    r = await login(browser, PERSON["email"], PASSWORD)  # even the right password waits
    assert r.status_code == 423 and "czasowo zablokowane" in r.text
    async with identity.db.transaction() as s:
        account = (await s.execute(select(Account))).scalar_one()
        assert (
            await s.execute(select(AuditEntry).where(AuditEntry.action == "login.locked"))
        ).scalar_one()
        account.locked_until = now() - timedelta(seconds=1)  # the delay has passed
    r = await login(browser, PERSON["email"], PASSWORD)
    assert r.status_code == 303


async def test_failures_from_one_address_are_throttled(make_database, nats_url):
    rt = await start_identity(make_database, nats_url, address_max_failures=5)
    try:
        async with httpx.AsyncClient(base_url=base_url(rt)) as browser:
            for i in range(5):
                r = await login(browser, f"ktos{i}@example.pl", "cokolwiek-dlugie")
                assert r.status_code == 401
            r = await login(browser, "inny@example.pl", "cokolwiek-dlugie")
            assert r.status_code == 429 and "z tego adresu" in r.text
    finally:
        await rt.close()


async def test_session_cookie_is_httponly_and_samesite(identity, browser):
    await make_resident(identity)
    r = await login(browser, PERSON["email"], PASSWORD)
    cookie = r.headers["set-cookie"].lower()
    assert "identity_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


async def test_not_activated_account_is_told_to_activate(identity, browser):
    await make_resident(identity, state="registered")
    r = await login(browser, PERSON["email"], PASSWORD)
    assert r.status_code == 403 and "nie zostało jeszcze aktywowane" in r.text


async def test_clerk_enrols_totp_with_a_qr_code_then_needs_a_code(identity, browser):
    await make_staff(identity)
    r = await login(browser, "urzednik@example.pl", PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/logowanie/totp"
    page = await browser.get("/logowanie/totp")
    assert 'src="data:image/svg+xml' in page.text
    secret = page.text.split('id="totp-secret">')[1].split("<")[0]
    bad = await browser.post(
        "/logowanie/totp", data={"code": "000000", "csrf_token": csrf_of(page.text)}
    )
    assert bad.status_code == 401 and "Nieprawidłowy kod" in bad.text
    code = pyotp.TOTP(secret).now()
    ok = await browser.post(
        "/logowanie/totp", data={"code": code, "csrf_token": csrf_of(page.text)}
    )
    assert ok.status_code == 303
    async with httpx.AsyncClient(base_url=base_url(identity)) as other:
        r = await login(other, "urzednik@example.pl", PASSWORD)
        page = await other.get("/logowanie/totp")
        assert "data:image/svg" not in page.text  # enrolled: only the code now
        replay = await other.post(
            "/logowanie/totp", data={"code": code, "csrf_token": csrf_of(page.text)}
        )
        assert replay.status_code == 401  # the same code is not accepted twice


async def test_password_reset_link_is_single_use(identity, browser):
    await make_resident(identity)
    r = await submit(browser, "/haslo/reset", "/haslo/reset", {"email": PERSON["email"]})
    assert r.status_code == 200
    link = path_of(await last_link(identity, events.PASSWORD_RESET, PERSON["email"]))
    token = link.split("token=")[1].split("&")[0]
    new = "Nowe-Zielone-Jablko-77"
    short = await submit(
        browser,
        link,
        "/haslo/nowe",
        {"token": token, "password": "krotkie", "password_confirm": "krotkie"},
    )
    assert short.status_code == 422 and "co najmniej 12 znaków" in short.text
    r = await submit(
        browser, link, "/haslo/nowe", {"token": token, "password": new, "password_confirm": new}
    )
    assert r.status_code == 200 and "Hasło zostało zmienione" in r.text
    again = await browser.get(link)
    assert again.status_code == 410 and "został już użyty" in again.text
    assert (await login(browser, PERSON["email"], PASSWORD)).status_code == 401
    assert (await login(browser, PERSON["email"], new)).status_code == 303


async def test_expired_activation_link_says_so(identity, browser):
    await submit(browser, "/rejestracja/osoba", "/rejestracja/osoba", PERSON)
    link = path_of(await last_link(identity, events.ACTIVATION, PERSON["email"]))
    from identity.accounts.models import OneTimeLink

    async with identity.db.transaction() as s:
        for row in (await s.execute(select(OneTimeLink))).scalars():
            row.expires_at = now() - timedelta(minutes=1)
    r = await browser.get(link)
    assert r.status_code == 410 and "wygasł" in r.text
    bogus = await browser.get("/aktywacja?token=zmyslony")
    assert bogus.status_code == 404 and "nieprawidłowy" in bogus.text


async def test_housekeeping_drops_only_what_expired(identity):
    from identity.maintenance import purge

    await make_resident(identity)
    async with identity.db.transaction() as s:
        from identity.accounts.models import LoginFailure, OneTimeLink

        s.add(LoginFailure(client_address="10.0.0.1", at=now() - timedelta(hours=2)))
        s.add(LoginFailure(client_address="10.0.0.1", at=now()))
        for row in (await s.execute(select(OneTimeLink))).scalars():
            row.expires_at = now() - timedelta(days=8)
    async with identity.db.transaction() as s:
        await purge(s, failure_window=timedelta(minutes=15))
    async with identity.db.sessions() as s:
        assert len((await s.execute(select(LoginFailure))).all()) == 1
        assert (await s.execute(select(OneTimeLink))).first() is None
        assert (await s.execute(select(Account))).scalar_one()
