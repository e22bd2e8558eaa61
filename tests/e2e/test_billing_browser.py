"""Billing in a real headless Chromium: Należności → pay online in the sandbox → "w trakcie",
and the billing pages pass axe-core (WCAG 2.1 AA, serious and critical findings)."""

from __future__ import annotations

import asyncio
import os

import pytest

from billing.app import definition as billing
from billing.charges.intake import intake
from billing.charges.schemas import ChargeIn, LineIn
from billing.context import Context
from gateway.app import create_app
from gateway.app import definition as gateway
from gateway.auth import CurrentUser, require_verified
from portal_platform.http import HttpServer
from portal_platform.service import Runtime
from portal_platform.testing.backends import free_port

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
PAYER = "P-BR-1"
pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="system chromium not installed"),
    pytest.mark.timeout(180),
]


@pytest.fixture
async def site(start_service, issuer):
    from datetime import date
    from decimal import Decimal

    rt = await start_service(billing, sandbox_settlement_delay_s=60)
    ctx = Context.from_settings(rt.settings)
    async with rt.db.transaction() as s:
        await intake(
            s,
            ctx,
            [
                ChargeIn(
                    event_id="e1",
                    payer_id=PAYER,
                    module="waste",
                    idempotency_key="br-1",
                    document_kind="installment",
                    title="Opłata za odpady — rata 1/2099",
                    lines=(LineIn("Opłata", Decimal(1), "szt.", 42_000, 42_000, "zw", 0, 42_000),),
                    due_dates=(date(2099, 3, 15),),
                    payer_name="Zofia Żółkiewska",
                )
            ],
        )
    settings = gateway.settings_cls.model_validate(
        {
            "env": "test",
            "grpc_services": f"billing=127.0.0.1:{rt.grpc_server.port}",
            "http_services": f"billing=http://127.0.0.1:{rt.settings.http_port}/healthz",
        }
    )
    app = create_app(Runtime(gateway, settings))
    token = issuer.token("res", roles=["resident"], payers=[PAYER])
    app.dependency_overrides[require_verified] = lambda: CurrentUser(
        subject="res",
        name="Zofia",
        email="z@example.pl",
        state="verified",
        access_token=token,
        roles=("resident",),
        payers=(PAYER,),
    )
    port = free_port()
    server = HttpServer(app, "127.0.0.1", port)
    await server.start()
    yield f"http://127.0.0.1:{port}"
    await server.stop()


@pytest.fixture
async def chromium():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()


async def test_pay_online_in_the_browser_and_pages_pass_axe(site, chromium, artifacts_dir):
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

    await page.goto(f"{site}/naleznosci")
    assert await page.locator("text=Opłata za odpady — rata 1/2099").count() == 1
    await page.screenshot(
        path=os.path.join(artifacts_dir, "billing-naleznosci.png"), full_page=True
    )
    await check("Należności")
    await page.goto(f"{site}/dokumenty")
    await check("Dokumenty")
    await page.goto(f"{site}/naleznosci")
    await page.get_by_role("button", name="Zapłać online: Opłata za odpady").click()
    await page.wait_for_url("**/sandbox/**")
    assert await page.locator("text=Środowisko testowe — płatność symulowana").count() == 1
    await check("sandbox provider")
    await page.screenshot(path=os.path.join(artifacts_dir, "billing-sandbox.png"), full_page=True)
    await page.click("#zaplac")
    await page.wait_for_url("**/platnosci?platnosc=*")
    for _ in range(20):
        if await page.locator("td[data-status=in_progress]").count():
            break
        await asyncio.sleep(0.2)
        await page.reload()
    assert await page.locator("td[data-status=in_progress]").count() == 1
    await page.screenshot(path=os.path.join(artifacts_dir, "billing-platnosci.png"), full_page=True)
    await check("Płatności")
    assert problems == {}
