"""The Woda section in a real headless Chromium: live preview while typing (JavaScript), the same
preview with JavaScript off, and axe-core finding no accessibility violations on the pages."""

from __future__ import annotations

import os
from datetime import date

import pytest
from grpc import aio

from gateway.app import create_app
from gateway.app import definition as gateway
from gateway.auth import CurrentUser, require_verified
from portal.common.v1 import common_pb2
from portal.water.v1 import water_pb2 as w
from portal.water.v1 import water_pb2_grpc
from portal_platform.http import HttpServer
from portal_platform.rpc.client import call
from portal_platform.service import Runtime
from portal_platform.testing.backends import free_port
from water.app import definition as water

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
PAYER = "P-BROWSER"
pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="system chromium not installed"),
    pytest.mark.timeout(180),
]


def d(x: date) -> common_pb2.Date:
    return common_pb2.Date(year=x.year, month=x.month, day=x.day)


@pytest.fixture
async def site(start_service, issuer):
    """Water with tariffs, one premises with a main and a garden meter; the gateway over HTTP."""
    water_rt = await start_service(water)
    clerk = issuer.token("clerk-b", roles=["clerk"])
    async with aio.insecure_channel(f"127.0.0.1:{water_rt.grpc_server.port}") as ch:
        stub = water_pb2_grpc.WaterServiceStub(ch)
        for comp, unit, before, after in (("water", "m3", "4,00", "4,20"),
                                          ("sewage", "m3", "10,00", "10,50"),
                                          ("abonament_water", "month", "5,00", "5,20"),
                                          ("abonament_sewage", "month", "3,00", "3,10")):  # fmt: skip
            for price, start in ((before, date(2025, 1, 1)), (after, date(2025, 7, 29))):
                await call(stub.AddTariffPrice, w.AddTariffPriceRequest(
                    group="household", component=comp, unit=unit, net_price=price,
                    valid_from=d(start)), token=clerk)  # fmt: skip
        p = (await call(stub.CreatePremises, w.CreatePremisesRequest(
            payer_id=PAYER, address="ul. Przeglądarkowa 1", group="household", sewer=True),
            token=clerk)).premises  # fmt: skip
        meters = {}
        for kind, initial in (("main", "100"), ("garden", "0")):
            got = await call(stub.InstallMeter, w.InstallMeterRequest(
                premises_id=p.premises_id, kind=kind, serial=f"B-{kind}",
                installed_on=d(date(2025, 5, 31)), initial_m3=initial,
                legalised_on=d(date(2025, 1, 1))), token=clerk)  # fmt: skip
            meters[kind] = got.meter.meter_id
    settings = gateway.settings_cls.model_validate(
        {"env": "test", "grpc_services": f"water=127.0.0.1:{water_rt.grpc_server.port}"}
    )
    app = create_app(Runtime(gateway, settings))
    user = CurrentUser(subject="res-b", name="Ewa Test", email="ewa@example.pl", state="verified",
                       access_token=issuer.token("res-b", roles=["resident"], payers=[PAYER]),
                       roles=("resident",), payers=(PAYER,))  # fmt: skip
    app.dependency_overrides[require_verified] = lambda: user
    port = free_port()
    server = HttpServer(app, "127.0.0.1", port)
    await server.start()
    try:
        yield f"http://127.0.0.1:{port}", p.premises_id, meters
    finally:
        await server.stop()


@pytest.fixture
async def chromium():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()


async def no_violations(page) -> None:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


async def test_live_preview_and_accessibility(site, chromium, artifacts_dir):
    base, premises_id, meters = site
    context = await chromium.new_context(bypass_csp=True)
    page = await context.new_page()
    await page.goto(f"{base}/woda")
    await no_violations(page)
    await page.click("text=Podaj odczyt")
    await page.fill("#reading_date", "2025-08-31")
    await page.fill(f"#value_{meters['main']}", "190")
    await page.fill(f"#value_{meters['garden']}", "12")
    # the script refreshes the preview while typing, no button pressed
    await page.wait_for_function(
        "document.querySelector('#podglad').innerText.replace(/\\u00a0/g, ' ')"
        ".includes('1 280,23')",
        timeout=10_000,
    )
    assert "Woda 01.06–28.07.2025" in await page.inner_text("#podglad")
    await no_violations(page)
    await page.screenshot(path=f"{artifacts_dir}/water-live-preview.png", full_page=True)
    # a bad value: the message sits next to the field and is announced
    await page.fill(f"#value_{meters['main']}", "19,5")
    await page.click("button[data-final='1']")
    error = await page.inner_text(f"#value_{meters['main']}-blad")
    assert "bez części po przecinku" in error
    await no_violations(page)
    await page.fill(f"#value_{meters['main']}", "190")
    await page.click("button[data-final='1']")
    await page.wait_for_url("**/woda/odczyt/*?wyslano=1")
    assert "czeka na weryfikację" in await page.inner_text("[data-testid=status]")
    await no_violations(page)
    await page.goto(f"{base}/woda/historia?punkt={premises_id}")
    await no_violations(page)
    await page.goto(f"{base}/woda/wykresy?punkt={premises_id}")
    await no_violations(page)
    await context.close()


async def test_preview_without_javascript(site, chromium):
    base, premises_id, meters = site
    context = await chromium.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"{base}/woda/odczyt?punkt={premises_id}")
    await page.fill("#reading_date", "2025-08-31")
    await page.fill(f"#value_{meters['main']}", "190")
    await page.fill(f"#value_{meters['garden']}", "12")
    await page.click("text=Pokaż podgląd faktury")
    assert "1 280,23" in (await page.inner_text("#podglad")).replace("\u00a0", " ")
    # the values survive the round trip and the form can be sent from here
    assert await page.input_value(f"#value_{meters['main']}") == "190"
    await page.click("button[data-final='1']")
    await page.wait_for_url("**/woda/odczyt/*?wyslano=1")
    await context.close()
