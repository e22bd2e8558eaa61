"""Identity with the admin app (a real OIDC client), notify and an SMTP server.

A clerk made by create-user goes through the back office login, has to set a password of their
own on identity's page and only then lands in the admin app; the change mails a security
notice. A resident locked out after 20 wrong passwords gets a mail with the unlock time and a
working reset link; the office's verification mails them too.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin

import httpx
import pyotp
import pytest
from identity_stack import identity_stack
from identity_test_helpers import PERSON, csrf_of, make_resident

from identity import cli
from identity.accounts import office
from notify.testing import text_of

pytestmark = pytest.mark.timeout(180)
CLERK = "nowy.urzednik@example.pl"
NEW = "Wlasne-Zielone-Jablko-77"


async def follow(client: httpx.AsyncClient, response: httpx.Response) -> httpx.Response:
    """Follow redirects across admin and identity (each keeps its own cookie)."""
    for _ in range(10):
        if response.status_code not in (301, 302, 303, 307):
            return response
        response = await client.get(urljoin(str(response.url), response.headers["location"]))
    raise AssertionError("too many redirects")


async def post_form(
    client: httpx.AsyncClient, page: httpx.Response, action: str, data: dict[str, str]
) -> httpx.Response:
    url = urljoin(str(page.url), action)
    r = await client.post(url, data={**data, "csrf_token": csrf_of(page.text)})
    return await follow(client, r)


async def mail_to(stack, address: str, subject: str, timeout: float = 30) -> str:
    """The plain text of the first mail to `address` with this subject."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for m in stack.smtp.to(address):
            if str(m["Subject"]) == subject:
                return text_of(m)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no mail {subject!r} to {address}")


async def test_created_clerk_sets_a_password_before_the_back_office(
    make_database, nats_url, capsys
):
    async with identity_stack(make_database, nats_url) as stack:
        argv = ["--role", "clerk", "--email", CLERK, "--name", "Ewa Nowicka"]
        assert await cli.create_user(stack.identity, argv) == 0
        temporary = capsys.readouterr().out.split("one-time password: ")[1].split()[0]
        async with httpx.AsyncClient(timeout=20) as clerk:
            page = await follow(clerk, await clerk.get(f"{stack.admin_url}/konta"))
            assert "/logowanie" in str(page.url)
            page = await post_form(
                clerk,
                page,
                "/logowanie",
                {"email": CLERK, "password": temporary, "next": page.url.params["next"]},
            )
            secret = page.text.split('id="totp-secret">')[1].split("<")[0]
            page = await post_form(
                clerk, page, "/logowanie/totp", {"code": pyotp.TOTP(secret).now()}
            )
            assert str(page.url) == f"{stack.identity_url}/haslo/zmiana"
            assert "<h1>Ustaw nowe hasło</h1>" in page.text
            # The back office sends the clerk to identity, which sends them back to the form.
            again = await follow(clerk, await clerk.get(f"{stack.admin_url}/konta"))
            assert str(again.url) == f"{stack.identity_url}/haslo/zmiana"
            same = await post_form(
                clerk,
                again,
                "/haslo/zmiana",
                {"new_password": temporary, "new_password_confirm": temporary},
            )
            assert same.status_code == 422 and "Nowe hasło: Musi być inne" in same.text
            done = await post_form(
                clerk, same, "/haslo/zmiana", {"new_password": NEW, "new_password_confirm": NEW}
            )
            assert done.status_code == 200 and str(done.url).startswith(stack.admin_url)
            assert "Konta mieszkańców" in done.text
        notice = await mail_to(stack, CLERK, "Hasło do Portalu Komunalnego zostało zmienione")
        assert "Dzień dobry Ewa Nowicka" in notice and "skontaktuj się z urzędem" in notice


async def test_resident_is_told_of_a_lock_resets_and_is_told_of_the_change(make_database, nats_url):
    async with identity_stack(make_database, nats_url) as stack:
        resident = await make_resident(stack.identity)
        async with httpx.AsyncClient(base_url=stack.identity_url, timeout=20) as browser:
            page = await browser.get("/logowanie")
            for i in range(20):
                r = await browser.post(
                    "/logowanie",
                    data={
                        "email": PERSON["email"],
                        "password": f"zle-haslo-{i:02d}-xxxx",
                        "csrf_token": csrf_of(page.text),
                    },
                )
            assert r.status_code == 423
            text = await mail_to(
                stack, PERSON["email"], "Konto czasowo zablokowane po nieudanych logowaniach"
            )
            assert "Blokada trwa do " in text
            link = next(w for w in text.split() if w.startswith(stack.identity_url))
            assert link == f"{stack.identity_url}/haslo/reset?lang=pl"
            form = await browser.get(link)
            asked = await post_form(browser, form, "/haslo/reset", {"email": PERSON["email"]})
            assert asked.status_code == 200
            reset = await stack.link_in_mail(PERSON["email"], "/haslo/nowe?token=", count=3)
            form = await browser.get(reset)
            done = await post_form(
                browser,
                form,
                "/haslo/nowe",
                {"token": form.url.params["token"], "password": NEW, "password_confirm": NEW},
            )
            assert "Hasło zostało zmienione" in done.text
        notice = await mail_to(
            stack, PERSON["email"], "Hasło do Portalu Komunalnego zostało zmienione"
        )
        assert "Jeśli to nie Ty, natychmiast skontaktuj się z urzędem" in notice
        async with stack.identity.db.transaction() as s:
            actor = office.Actor("clerk-1", "Anna Urzędniczka", "127.0.0.1")
            await office.verify(s, stack.identity.state["ctx"], actor, resident, "dowod_osobisty")
        verified = await mail_to(
            stack, PERSON["email"], "Konto zweryfikowane — możesz sprawdzać swoje należności"
        )
        assert f"{stack.gateway_url}/naleznosci" in verified
        assert (
            len(stack.smtp.to(PERSON["email"])) == 5
        )  # activation, lock, reset, changed, verified
