"""Identity end to end in a real headless Chromium (system chromium through Playwright)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pyotp
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "identity" / "tests"))

from identity_stack import identity_stack
from identity_test_helpers import COMPANY, PASSWORD, PERSON, make_staff

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CLERK = "nowy.urzednik@example.pl"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="system chromium not installed"
)


@pytest.fixture
async def stack(make_database, nats_url):
    async with identity_stack(make_database, nats_url) as s:
        await make_staff(s.identity, email=CLERK)  # no TOTP yet: enrolled at the first login
        yield s


@pytest.fixture
async def chromium():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()


async def fill_registration(page, form: dict[str, str]) -> None:
    for name, value in form.items():
        if name == "consent":
            await page.check("#f-consent")
        elif value:
            await page.fill(f"#f-{name}", value)
    await page.click("button[type=submit]")


@pytest.mark.parametrize(
    ("kind", "form", "name"),
    [("osoba", PERSON, "Anna Nowak"), ("firma", COMPANY, COMPANY["company_name"])],
)
async def test_register_activate_verify_in_chromium(
    stack, chromium, artifacts_dir, kind, form, name
):
    resident = await chromium.new_context()
    page = await resident.new_page()
    # a wrong PESEL/NIP first: the message sits next to the field, nothing is stored
    wrong = {**form, "pesel": "02070803629"} if kind == "osoba" else {**form, "nip": "5261040829"}
    await page.goto(f"{stack.identity_url}/rejestracja/{kind}")
    await fill_registration(page, wrong)
    field = "pesel" if kind == "osoba" else "nip"
    assert "cyfra kontrolna się nie zgadza" in await page.inner_text(f"#e-{field}")
    assert await page.get_attribute(f"#f-{field}", "aria-describedby") == f"e-{field}"
    await page.screenshot(path=f"{artifacts_dir}/identity-{kind}-bad-input.png", full_page=True)
    await fill_registration(page, form)
    assert "Sprawdź pocztę" in await page.inner_text("h1")
    link = await stack.link_in_mail(form["email"], "/aktywacja?token=")
    await page.goto(link)
    await page.click("button[type=submit]")
    assert "Konto zostało aktywowane" in await page.inner_text("main")
    await page.goto(f"{stack.gateway_url}/konto")
    await page.fill("#f-email", form["email"])
    await page.fill("#f-password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{stack.gateway_url}/konto")
    assert "czeka na potwierdzenie" in await page.inner_text("#konto-stan")
    await page.goto(f"{stack.gateway_url}/odpady")
    assert "Potwierdź tożsamość w urzędzie" in await page.inner_text("h1")

    office = await chromium.new_context()
    clerk = await office.new_page()
    await clerk.goto(f"{stack.admin_url}/konta")
    await clerk.fill("#f-email", CLERK)
    await clerk.fill("#f-password", PASSWORD)
    await clerk.click("button[type=submit]")
    assert await clerk.get_attribute("img", "src") and (
        await clerk.get_attribute("img", "src")
    ).startswith("data:image/svg+xml")
    await clerk.screenshot(path=f"{artifacts_dir}/identity-totp-enrolment.png", full_page=True)
    secret = await clerk.inner_text("#totp-secret")
    await clerk.fill("#f-code", pyotp.TOTP(secret).now())
    await clerk.click("button[type=submit]")
    await clerk.wait_for_url(f"{stack.admin_url}/konta")
    await clerk.click(f"text={name}")
    await clerk.check("#doc-dowod_osobisty" if kind == "osoba" else "#doc-pelnomocnictwo_krs")
    await clerk.click("text=Potwierdź tożsamość")
    assert "Tożsamość potwierdzona." in await clerk.inner_text("#komunikat")
    await clerk.fill("#f-payer", "P-000001")
    await clerk.click("text=Połącz kartotekę")
    assert "P-000001" in await clerk.inner_text("#platnicy")
    await clerk.screenshot(path=f"{artifacts_dir}/identity-{kind}-clerk.png", full_page=True)

    await page.goto(f"{stack.gateway_url}/konto")
    assert "zweryfikowane" in await page.inner_text("#konto-stan")
    assert "P-000001" in await page.inner_text("#kartoteki")
    await page.screenshot(path=f"{artifacts_dir}/identity-{kind}-verified.png", full_page=True)
    # a resident never reaches the back office, even with a live single sign-on session
    await page.goto(f"{stack.admin_url}/konta")
    assert "tylko dla pracowników" in await page.inner_text("main")
    await resident.close()
    await office.close()


async def test_identity_pages_pass_axe(stack, chromium):
    """WCAG 2.1 AA (axe-core): registration with errors, login, TOTP enrolment, English page."""
    from axe_playwright_python.async_playwright import Axe

    axe = Axe()
    page = await (await chromium.new_context()).new_page()
    problems: dict[str, list[str]] = {}

    async def check(name: str) -> None:
        results = await axe.run(
            page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        )
        bad = [
            v["id"]
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        if bad:
            problems[name] = bad

    await page.goto(f"{stack.identity_url}/rejestracja/osoba")
    await check("registration")
    await fill_registration(
        page, {**PERSON, "pesel": "123", "password": "x", "password_confirm": "x"}
    )
    await check("registration with errors")
    await page.goto(f"{stack.identity_url}/rejestracja/firma?lang=en")
    await check("company registration (en)")
    await page.goto(f"{stack.identity_url}/logowanie?lang=pl")
    await check("login")
    await page.fill("#f-email", CLERK)
    await page.fill("#f-password", PASSWORD)
    await page.click("button[type=submit]")
    await check("TOTP enrolment")
    assert problems == {}
