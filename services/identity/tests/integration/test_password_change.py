"""A password set by someone else (create-user) is replaced at the first login, before any code."""

from __future__ import annotations

import asyncio
import time

import httpx
import pyotp
from identity_test_helpers import (
    PASSWORD,
    PERSON,
    Pkce,
    base_url,
    csrf_of,
    last_link,
    make_resident,
    make_staff,
    outbox_events,
    path_of,
    query_of,
    start_identity,
    submit,
)
from sqlalchemy import select

from identity import cli
from identity.accounts import events
from identity.accounts import service as accounts
from identity.accounts.models import Account
from identity.audit.models import AuditEntry
from identity.oidc.models import AuthorizationCode
from portal_platform.auth import TokenVerifier
from portal_platform.config import DEV_SECRET

ADMIN_REDIRECT = "http://127.0.0.1:8001/auth/callback"
GATEWAY_REDIRECT = "http://127.0.0.1:8000/auth/callback"
CLERK = "nowa.urzedniczka@example.pl"
NEW = "Wlasne-Zielone-Jablko-77"


def authorize_params(pkce: Pkce, *, client_id: str = "admin", redirect: str = ADMIN_REDIRECT):
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect,
        "scope": "openid profile email offline_access",
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
    }


async def codes_of(rt, account_id: str) -> list[AuthorizationCode]:
    async with rt.db.sessions() as s:
        rows = await s.execute(
            select(AuthorizationCode).where(AuthorizationCode.account_id == account_id)
        )
        return list(rows.scalars())


async def account_of(rt, email: str) -> Account:
    async with rt.db.sessions() as s:
        account = await accounts.by_email(s, email)
        assert account is not None
        return account


async def log_in_with_totp(
    browser: httpx.AsyncClient,
    email: str,
    password: str,
    next_: str,
    secret: str = "",
    *,
    later: bool = False,
) -> tuple[httpx.Response, str]:
    """Password, then TOTP (enrolled now unless a secret is given); the response after the code.

    `later`: the next time step's code (identity takes ±1 step and each step once).
    """
    r = await submit(
        browser, "/logowanie", "/logowanie", {"email": email, "password": password, "next": next_}
    )
    assert r.status_code == 303 and r.headers["location"] == "/logowanie/totp", r.text
    page = await browser.get("/logowanie/totp")
    if not secret:
        secret = page.text.split('id="totp-secret">')[1].split("<")[0]
    r = await browser.post(
        "/logowanie/totp",
        data={
            "code": pyotp.TOTP(secret).at(time.time() + (30 if later else 0)),
            "csrf_token": csrf_of(page.text),
        },
    )
    return r, secret


async def test_created_clerk_must_set_own_password_before_any_code(identity, browser, capsys):
    argv = ["--role", "clerk", "--email", CLERK, "--name", "Ewa Nowicka"]
    assert await cli.create_user(identity, argv) == 0
    printed = capsys.readouterr().out
    temporary = printed.split("one-time password: ")[1].split()[0]
    clerk = await account_of(identity, CLERK)
    assert clerk.must_change_password

    pkce = Pkce.new()
    params = authorize_params(pkce)
    r = await browser.get("/authorize", params=params)
    assert r.status_code == 303 and r.headers["location"].startswith("/logowanie?next=")
    target = query_of(r.headers["location"])["next"]
    r, secret = await log_in_with_totp(browser, CLERK, temporary, target)
    assert r.status_code == 303 and r.headers["location"] == "/haslo/zmiana"
    form = await browser.get("/haslo/zmiana")
    assert form.status_code == 200 and "<h1>Ustaw nowe hasło</h1>" in form.text
    assert 'name="new_password"' in form.text and 'autocomplete="new-password"' in form.text

    # Skipping it does not work: /authorize comes back to the form and issues no code.
    again = await browser.get("/authorize", params=params)
    assert again.status_code == 303 and again.headers["location"] == "/haslo/zmiana"
    assert await codes_of(identity, clerk.id) == []

    english = await browser.get("/haslo/zmiana?lang=en")
    assert "<h1>Set a new password</h1>" in english.text and "New password" in english.text
    await browser.get("/haslo/zmiana?lang=pl")

    csrf = csrf_of(form.text)
    same = await browser.post(
        "/haslo/zmiana",
        data={"new_password": temporary, "new_password_confirm": temporary, "csrf_token": csrf},
    )
    assert same.status_code == 422
    assert "Nowe hasło: Musi być inne niż hasło tymczasowe" in same.text
    assert 'id="e-new_password"' in same.text and 'aria-invalid="true"' in same.text
    short = await browser.post(
        "/haslo/zmiana",
        data={"new_password": "krotkie", "new_password_confirm": "krotkie", "csrf_token": csrf},
    )
    assert short.status_code == 422 and "Nowe hasło: Hasło musi mieć co najmniej 12" in short.text
    personal = await browser.post(
        "/haslo/zmiana",
        data={
            "new_password": "Nowicka-2026-haslo!",
            "new_password_confirm": "Nowicka-2026-haslo!",
            "csrf_token": csrf,
        },
    )
    assert personal.status_code == 422 and "nie może zawierać Twojego imienia" in personal.text
    mismatch = await browser.post(
        "/haslo/zmiana",
        data={"new_password": NEW, "new_password_confirm": NEW + "x", "csrf_token": csrf},
    )
    assert mismatch.status_code == 422
    assert "Powtórz nowe hasło: Hasła nie są takie same." in mismatch.text
    no_csrf = await browser.post(
        "/haslo/zmiana", data={"new_password": NEW, "new_password_confirm": NEW}
    )
    assert no_csrf.status_code in (400, 403)
    assert (await account_of(identity, CLERK)).must_change_password
    assert await codes_of(identity, clerk.id) == []

    done = await browser.post(
        "/haslo/zmiana",
        data={"new_password": NEW, "new_password_confirm": NEW, "csrf_token": csrf},
    )
    assert done.status_code == 303 and done.headers["location"] == target
    r = await browser.get(done.headers["location"])
    assert r.status_code == 302 and r.headers["location"].startswith(ADMIN_REDIRECT)
    # the finished authorization is not offered again: the page now leads home
    later = await browser.get("/haslo/zmiana")
    assert later.status_code == 303 and later.headers["location"] == "/"
    code = query_of(r.headers["location"])["code"]
    tok = await browser.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": ADMIN_REDIRECT,
            "code_verifier": pkce.verifier,
        },
        auth=("admin", DEV_SECRET),
    )
    assert tok.status_code == 200, tok.text
    iss = base_url(identity)
    principal = await TokenVerifier(
        issuer=iss, audience="portal", jwks_url=f"{iss}/.well-known/jwks.json"
    ).verify(tok.json()["access_token"])
    assert principal.subject == clerk.id and principal.roles == {"clerk"}

    changed = await account_of(identity, CLERK)
    assert not changed.must_change_password
    assert changed.security_stamp != clerk.security_stamp  # other sessions ended
    async with identity.db.sessions() as s:
        entry = (
            await s.execute(
                select(AuditEntry).where(AuditEntry.action == "account.password_changed")
            )
        ).scalar_one()
    assert entry.account_id == clerk.id and entry.actor_id == clerk.id
    assert '"must_change_password": true' in entry.before_json
    assert '"must_change_password": false' in entry.after_json
    (event,) = await outbox_events(identity, events.account_subject("password_changed"))
    assert (event.account_id, event.change, event.email, event.language) == (
        clerk.id,
        "password_changed",
        CLERK,
        "pl",
    )
    assert event.display_name == "Ewa Nowicka" and event.state == "active"

    # Next time: the new password, the code, and straight on; the temporary one is refused.
    async with httpx.AsyncClient(base_url=base_url(identity)) as other:
        old = await submit(
            other, "/logowanie", "/logowanie", {"email": CLERK, "password": temporary}
        )
        assert old.status_code == 401
        r, _ = await log_in_with_totp(other, CLERK, NEW, "/", secret, later=True)
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert (await other.get("/haslo/zmiana")).headers["location"] == "/"


async def test_password_from_a_file_must_be_changed_too(identity, tmp_path, capsys):
    file = tmp_path / "haslo.txt"
    file.write_text("Haslo-Z-Pliku-2026\n", encoding="utf-8")
    code = await cli.create_user(
        identity,
        ["--role", "admin", "--email", "admin@example.pl", "--name", "Adam Admin",
         "--password-file", str(file)],
    )  # fmt: skip
    assert code == 0 and "one-time password" not in capsys.readouterr().out
    admin = await account_of(identity, "admin@example.pl")
    assert admin.must_change_password and admin.role_list == ["clerk", "admin"]


async def test_a_resident_who_registered_is_never_asked(identity, browser):
    await submit(browser, "/rejestracja/osoba", "/rejestracja/osoba", PERSON)
    link = path_of(await last_link(identity, events.ACTIVATION, PERSON["email"]))
    page = await browser.get(link)
    activated = await browser.post(
        "/aktywacja", data={"token": query_of(link)["token"], "csrf_token": csrf_of(page.text)}
    )
    assert activated.status_code == 200 and "aktywowane" in activated.text
    assert not (await account_of(identity, PERSON["email"])).must_change_password
    pkce = Pkce.new()
    params = authorize_params(pkce, client_id="gateway", redirect=GATEWAY_REDIRECT)
    r = await browser.get("/authorize", params=params)
    target = query_of(r.headers["location"])["next"]
    r = await submit(
        browser,
        r.headers["location"],
        "/logowanie",
        {"email": PERSON["email"], "password": PASSWORD, "next": target},
    )
    assert r.status_code == 303 and r.headers["location"] == target
    r = await browser.get(target)
    assert r.status_code == 302 and "code=" in r.headers["location"]
    nothing = await browser.get("/haslo/zmiana")
    assert nothing.status_code == 303 and nothing.headers["location"] == target


async def test_without_a_login_the_form_sends_to_the_login_page(identity, browser):
    r = await browser.get("/haslo/zmiana")
    assert r.status_code == 303 and r.headers["location"] == "/logowanie"


async def test_the_form_is_only_for_the_login_just_made(make_database, nats_url):
    rt = await start_identity(make_database, nats_url, password_change_window_min=0)
    try:
        secret = pyotp.random_base32()
        await make_staff(rt, email=CLERK, totp_secret=secret, must_change_password=True)
        async with httpx.AsyncClient(base_url=base_url(rt)) as browser:
            r, _ = await log_in_with_totp(browser, CLERK, PASSWORD, "/", secret)
            assert r.headers["location"] == "/haslo/zmiana"
            await asyncio.sleep(1.1)
            late = await browser.get("/haslo/zmiana")
            assert late.status_code == 401 and "Minął czas na ustawienie nowego hasła" in late.text
            assert (await browser.get("/haslo/zmiana")).headers["location"] == "/logowanie"
        assert (await account_of(rt, CLERK)).must_change_password
    finally:
        await rt.close()


async def test_reset_link_replaces_the_initial_password_as_well(identity, browser):
    await make_staff(identity, email=CLERK, must_change_password=True)
    await submit(browser, "/haslo/reset", "/haslo/reset", {"email": CLERK})
    link = path_of(await last_link(identity, events.PASSWORD_RESET, CLERK))
    token = query_of(link)["token"]
    r = await submit(
        browser, link, "/haslo/nowe", {"token": token, "password": NEW, "password_confirm": NEW}
    )
    assert r.status_code == 200 and "Hasło zostało zmienione" in r.text
    assert not (await account_of(identity, CLERK)).must_change_password


async def test_no_token_for_an_account_whose_password_waits_to_be_replaced(identity, browser):
    """Refresh tokens issued before the flag was set (by a future office action) stop working."""
    await make_resident(identity)
    pkce = Pkce.new()
    params = authorize_params(pkce, client_id="gateway", redirect=GATEWAY_REDIRECT)
    r = await browser.get("/authorize", params=params)
    target = query_of(r.headers["location"])["next"]
    await submit(
        browser,
        r.headers["location"],
        "/logowanie",
        {"email": PERSON["email"], "password": PASSWORD, "next": target},
    )
    code = query_of((await browser.get(target)).headers["location"])["code"]
    tok = await browser.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": GATEWAY_REDIRECT,
            "code_verifier": pkce.verifier,
        },
        auth=("gateway", DEV_SECRET),
    )
    refresh = tok.json()["refresh_token"]
    async with identity.db.transaction() as s:
        account = await accounts.by_email(s, PERSON["email"])
        assert account is not None
        account.must_change_password = True
    refused = await browser.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh},
        auth=("gateway", DEV_SECRET),
    )
    assert refused.status_code == 400 and "access_token" not in refused.json()
    back = await browser.get("/authorize", params=params)
    assert back.status_code == 303 and back.headers["location"] == "/haslo/zmiana"
