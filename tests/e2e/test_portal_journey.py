"""The resident portal as a whole, in headless Chromium: a verified demo resident logs in and
walks Pulpit → Woda (a reading) → Należności → Płatności (sandbox) → Dokumenty (a PDF) → Kontakt,
on a phone and on a desktop; screenshots are saved as test artifacts. The manual's screenshot
script runs against the same system.

Every service runs for real (identity's OIDC login, billing, water, waste, notify, gateway).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "gateway" / "tests"))

from portal_stack import EMAIL, PASSWORD, browser_login, portal_stack

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
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="system chromium not installed"),
    pytest.mark.timeout(300),
]


@pytest.fixture
async def stack(make_database, nats_url):
    # the sandbox settles after 2 minutes: the payment stays "w trakcie" during the walk
    async with portal_stack(make_database, nats_url, sandbox_delay_s=120) as s:
        assert await s.charges_booked(2) >= 2, "demo charges reached billing"
        yield s


@pytest.fixture
async def chromium():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()


async def menu(page, label: str) -> None:
    """Follow a main-menu link, as a resident would."""
    await page.click(f"#menu a:text-is('{label}')")
    await page.wait_for_load_state()


async def submit_reading(page) -> None:
    await page.click("text=Podaj odczyt")
    await page.wait_for_selector("#odczyt")
    for field in await page.query_selector_all("input[id^=value_]"):
        hint = await page.inner_text(f"#{await field.get_attribute('id')}-pomoc")
        previous = int(hint.split(":", 1)[1].split("m³")[0].strip())
        await field.fill(str(previous + 9))
    await page.click("text=Pokaż podgląd faktury")
    await page.wait_for_selector("#podglad table")
    await page.click("button[data-final='1']")
    await page.wait_for_load_state()
    if await page.query_selector("#confirm_warnings"):
        await page.check("#confirm_warnings")
        await page.click("button[data-final='1']")
        await page.wait_for_load_state()


@pytest.mark.parametrize("device", ["phone", "desktop"])
async def test_resident_journey(stack, chromium, artifacts_dir, device):
    context = await chromium.new_context(viewport=VIEWPORTS[device], accept_downloads=True)
    page = await context.new_page()
    step = 0

    async def shot(name: str) -> None:
        nonlocal step
        step += 1
        path = f"{artifacts_dir}/portal-{device}-{step:02d}-{name}.png"
        await page.screenshot(path=path, full_page=True)

    await page.goto(stack.gateway_url)
    assert "Zaloguj się" in await page.inner_text("header")
    await shot("strona-glowna")
    await browser_login(page, stack)
    assert await page.inner_text("h1") == "Pulpit"
    total = await page.get_attribute("[data-total]", "data-total")
    assert total and int(total) > 0, "the demo resident owes something"
    water_tile = page.locator("[data-module=water]")
    assert await water_tile.locator("[data-deadline-done=nie]").count() == 1
    await shot("pulpit")

    # Woda: a reading with the invoice preview, then sent
    await menu(page, "Woda")
    assert "Woda i ścieki" in await page.inner_text("h1")
    await submit_reading(page)
    assert "Odczyt został wysłany" in await page.inner_text("main")
    await shot("woda-odczyt-wyslany")

    # Należności: both modules' sections, amounts and the pay buttons
    await menu(page, "Należności")
    main = await page.inner_text("main")
    assert "Woda i ścieki" in main and "Odpady komunalne" in main
    await shot("naleznosci")

    # Historia rozliczeń: the charges so far with the balance, last 12 months, as CSV
    await page.click("main a:text('Historia rozliczeń')")
    await page.wait_for_url("**/naleznosci/historia?**")
    assert await page.inner_text("h1") == "Historia rozliczeń"
    await page.click("a[data-quick='12-miesiecy']")
    await page.wait_for_load_state()
    assert await page.locator("tr[data-kind=charge]").count() >= 2
    closing = int(await page.get_attribute("#saldo-koncowe", "data-balance") or 0)
    assert closing > 0, "the demo charges are not paid yet"
    await shot("historia-rozliczen")
    async with page.expect_download() as info:
        await page.click("a:text-is('Pobierz CSV (Excel)')")
    csv_file = await (await info.value).path()
    assert csv_file.read_bytes().startswith("\ufeffData;Opis".encode())
    # printed: the statement without the menu, the form and the footer
    await page.emulate_media(media="print")
    assert await page.is_hidden("#menu") and await page.is_hidden("main form")
    assert await page.is_visible("section.statement table")
    await shot("historia-rozliczen-wydruk")
    await page.emulate_media(media="screen")

    # Płatności: pay everything through the sandbox operator; "w trakcie" afterwards
    await menu(page, "Płatności")
    await page.click("button:text-is('Zapłać wszystko online')")
    await page.wait_for_selector("#zaplac")
    assert "płatność symulowana" in await page.inner_text("main")
    await shot("operator-platnosci")
    await page.click("#zaplac")
    await page.wait_for_url(f"{stack.gateway_url}/platnosci?**")
    assert await page.locator("td[data-status=in_progress]").count() >= 1
    await shot("platnosci-w-trakcie")

    # Dokumenty: a real PDF download
    await menu(page, "Dokumenty")
    async with page.expect_download() as info:
        await page.locator("a:text-is('Pobierz PDF')").first.click()
    download = await info.value
    saved = Path(artifacts_dir) / f"portal-{device}-dokument.pdf"
    await download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    await shot("dokumenty")

    # Kontakt: a message to the office, shown as a case
    await menu(page, "Kontakt")
    await page.select_option("#topic", index=1)
    await page.fill("#subject", "Pytanie o fakturę")
    await page.fill("#body", "Dzień dobry, proszę o informację o terminie płatności.")
    await page.click("button:text-is('Wyślij wiadomość')")
    await page.wait_for_url("**/kontakt/sprawy/**")
    assert "Wiadomość wysłana" in await page.inner_text("main")
    await shot("kontakt-wyslano")

    # Back on Pulpit: the reading is given, the payment is in progress
    await menu(page, "Pulpit")
    assert await water_tile.locator("[data-deadline-done=tak]").count() == 1
    assert "czekają na potwierdzenie" in await page.inner_text("[id^=w-trakcie-]")
    # everything is being paid: no second "pay everything" button
    assert await page.locator("[id^=wszystko-w-trakcie-]").count() == 1
    assert await page.locator("[id^=zaplac-wszystko-]").count() == 0
    await shot("pulpit-po")

    # English, and back to Polish
    await page.click("a[hreflang=en]")
    assert await page.inner_text("h1") == "Dashboard"
    assert await page.get_attribute("html", "lang") == "en"
    await shot("dashboard-en")
    await page.click("a[hreflang=pl]")
    assert await page.inner_text("h1") == "Pulpit"
    await context.close()


async def test_manual_screenshots_of_the_real_portal(stack, chromium, artifacts_dir):
    """The manual's screenshot script works against the running portal (images stay small)."""
    from gateway.features.help.manual import IMAGES_DIR
    from gateway.features.help.screenshots import capture

    update = os.environ.get("PORTAL_UPDATE_MANUAL_SCREENSHOTS") == "1"
    out = IMAGES_DIR if update else Path(artifacts_dir) / "manual"
    names = await capture(chromium, stack.gateway_url, EMAIL, PASSWORD, out)
    assert {"pulpit.png", "woda-odczyt.png", "dokumenty.png", "kontakt.png"} <= set(names)
    assert "historia-rozliczen.png" in names
    for name in names:
        assert (out / name).stat().st_size <= 150_000, name
