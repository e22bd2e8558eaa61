"""Identity end to end over HTTP: register → mail → activate → login → clerk verifies → payer visible."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pyotp
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "identity" / "tests"))

from identity_stack import identity_stack
from identity_test_helpers import COMPANY, PASSWORD, PERSON, csrf_of, make_staff

TOTP_SECRET = pyotp.random_base32()
CLERK = "urzednik@example.pl"


@pytest.fixture
async def stack(make_database, nats_url):
    async with identity_stack(make_database, nats_url) as s:
        await make_staff(s.identity, email=CLERK, totp_secret=TOTP_SECRET)
        yield s


async def follow(
    client: httpx.AsyncClient, response: httpx.Response, limit: int = 10
) -> httpx.Response:
    """Follow redirects across gateway, identity and admin (each keeps its own cookie)."""
    for _ in range(limit):
        if response.status_code not in (301, 302, 303, 307):
            return response
        response = await client.get(urljoin(str(response.url), response.headers["location"]))
    raise AssertionError("too many redirects")


async def post_form(
    client: httpx.AsyncClient, page: httpx.Response, action: str, data: dict[str, str]
) -> httpx.Response:
    r = await client.post(
        urljoin(str(page.url), action), data={**data, "csrf_token": csrf_of(page.text)}
    )
    return await follow(client, r)


async def login(
    client: httpx.AsyncClient, start_url: str, email: str, *, totp: str = ""
) -> httpx.Response:
    """Open a protected page, log in at identity (with TOTP when asked), land back."""
    page = await follow(client, await client.get(start_url))
    assert "/logowanie" in str(page.url), page.url
    page = await post_form(
        client,
        page,
        "/logowanie",
        {"email": email, "password": PASSWORD, "next": page.url.params.get("next", "/")},
    )
    if "/logowanie/totp" in str(page.url):
        page = await post_form(client, page, "/logowanie/totp", {"code": pyotp.TOTP(totp).now()})
    return page


async def register_and_activate(
    stack, client: httpx.AsyncClient, kind: str, form: dict[str, str]
) -> None:
    page = await client.get(f"{stack.identity_url}/rejestracja/{kind}")
    done = await post_form(client, page, f"/rejestracja/{kind}", form)
    assert done.status_code == 200 and "Sprawdź pocztę" in done.text
    link = await stack.link_in_mail(form["email"], "/aktywacja?token=")
    confirm = await client.get(link)
    activated = await post_form(
        client, confirm, "/aktywacja", {"token": confirm.url.params["token"]}
    )
    assert "Konto zostało aktywowane" in activated.text
    reused = await client.get(link)
    assert reused.status_code == 410 and "został już użyty" in reused.text


async def clerk_verifies(stack, display_name: str, document: str) -> None:
    async with httpx.AsyncClient(timeout=20) as clerk:
        page = await login(clerk, f"{stack.admin_url}/konta", CLERK, totp=TOTP_SECRET)
        assert page.status_code == 200 and display_name in page.text, page.text
        account_id = page.text.split('href="/konta/')[1].split('"')[0]
        detail = await clerk.get(f"{stack.admin_url}/konta/{account_id}")
        verified = await post_form(
            clerk, detail, f"/konta/{account_id}/weryfikacja", {"document_type": document}
        )
        assert "Tożsamość potwierdzona." in verified.text
        linked = await post_form(
            clerk, verified, f"/konta/{account_id}/platnicy", {"payer_id": "P-000001"}
        )
        assert "Kartoteka połączona z kontem." in linked.text and "P-000001" in linked.text
        log = await clerk.get(f"{stack.admin_url}/dziennik")
        assert "weryfikacja w urzędzie" in log.text and "Anna Urzędniczka" in log.text


@pytest.mark.parametrize(
    ("kind", "form", "name", "document"),
    [
        ("osoba", PERSON, "Anna Nowak", "dowod_osobisty"),
        ("firma", COMPANY, COMPANY["company_name"], "pelnomocnictwo_krs"),
    ],
)
async def test_registration_to_verified_payer(stack, kind, form, name, document):
    async with httpx.AsyncClient(timeout=20) as resident:
        await register_and_activate(stack, resident, kind, form)
        profile = await login(resident, f"{stack.gateway_url}/konto", form["email"])
        assert profile.status_code == 200 and "czeka na potwierdzenie tożsamości" in profile.text
        money = await follow(resident, await resident.get(f"{stack.gateway_url}/odpady"))
        assert money.status_code == 403 and "Potwierdź tożsamość w urzędzie" in money.text
        cookie = next(c for c in resident.cookies.jar if c.name == "portal_session")
        assert (
            "httponly" in cookie._rest
            and (cookie.get_nonstandard_attr("samesite") or "").lower() == "lax"
        )
        denied = await follow(resident, await resident.get(f"{stack.admin_url}/konta"))
        assert denied.status_code == 403 and "tylko dla pracowników" in denied.text
        await clerk_verifies(stack, name, document)
        profile = await resident.get(f"{stack.gateway_url}/konto")
        assert "zweryfikowane w urzędzie" in profile.text and "Płatnik P-000001" in profile.text
        export = await resident.get(f"{stack.gateway_url}/konto/eksport?account_id=someone-else")
        data = json.loads(export.text)
        assert (
            data["account"]["email"] == form["email"]
            and data["payers"][0]["payer_id"] == "P-000001"
        )
        out = await follow(
            resident,
            await post_form(
                resident, await resident.get(f"{stack.gateway_url}/wyloguj"), "/wyloguj", {}
            ),
        )
        assert "Wylogowano" in out.text
        again = await follow(resident, await resident.get(f"{stack.gateway_url}/konto"))
        assert "/logowanie" in str(again.url)


async def test_csrf_cookies_and_clerk_bad_input(stack):
    from identity_test_helpers import make_resident

    resident_id = await make_resident(stack.identity, email="ewa@example.pl", pesel="90010112349")
    async with httpx.AsyncClient(timeout=20) as anon:
        await anon.get(f"{stack.identity_url}/logowanie")
        no_token = await anon.post(
            f"{stack.identity_url}/logowanie", data={"email": CLERK, "password": PASSWORD}
        )
        assert no_token.status_code == 403
    async with httpx.AsyncClient(timeout=20) as clerk:
        page = await login(clerk, f"{stack.admin_url}/konta/{resident_id}", CLERK, totp=TOTP_SECRET)
        assert page.status_code == 200 and "ewa@example.pl" in page.text
        cookie = next(c for c in clerk.cookies.jar if c.name == "portal_admin_session")
        assert (
            "httponly" in cookie._rest
            and (cookie.get_nonstandard_attr("samesite") or "").lower() == "lax"
        )
        forged = await clerk.post(
            f"{stack.admin_url}/konta/{resident_id}/weryfikacja", data={"document_type": "paszport"}
        )
        assert forged.status_code == 403
        bad = await post_form(
            clerk, page, f"/konta/{resident_id}/platnicy", {"payer_id": "zły numer!"}
        )
        assert (
            bad.status_code == 422
            and "Numer płatnika (kartoteki) ma nieprawidłową postać" in bad.text
        )
        none = await post_form(clerk, page, f"/konta/{resident_id}/weryfikacja", {})
        assert none.status_code == 422 and "Wybierz rodzaj sprawdzonego dokumentu." in none.text
        detail = await clerk.get(f"{stack.admin_url}/konta/{resident_id}")
        assert (
            "Czekają na weryfikację" in detail.text and "Brak połączonych kartotek." in detail.text
        )
