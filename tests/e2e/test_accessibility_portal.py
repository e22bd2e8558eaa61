"""axe-core (WCAG 2.1 A and AA rules) on every page of the resident portal, in Polish and in
English, for a visitor and for the verified demo resident — including forms showing errors."""

from __future__ import annotations

import json
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
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PUBLIC = ["/", "/pomoc", "/deklaracja-dostepnosci", "/kontakt", "/stan", "/api", "/nie-ma-takiej"]
RESIDENT = [
    "/",
    "/naleznosci",
    "/naleznosci/historia",
    "/woda",
    "/odpady",
    "/podatki",
    "/dokumenty",
    "/platnosci",
    "/kontakt",
    "/kontakt/sprawy",
    "/powiadomienia",
    "/konto",
    "/modul/water",
    "/modul/property_tax",
    "/wyloguj",
    "/pomoc",
]

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="system chromium not installed"),
    pytest.mark.timeout(600),
]


@pytest.fixture
async def stack(make_database, nats_url):
    async with portal_stack(make_database, nats_url) as s:
        await s.charges_booked(2)
        yield s


@pytest.fixture
async def chromium():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()


class Audit:
    """Runs axe on the current page and keeps every violation by page."""

    def __init__(self, page) -> None:
        from axe_playwright_python.async_playwright import Axe

        self.axe, self.page = Axe(), page
        self.problems: dict[str, list[dict]] = {}
        self.pages = 0
        self.passed_rules = 0

    async def check(self, name: str) -> None:
        results = await self.axe.run(self.page, options={"runOnly": TAGS})
        self.pages += 1
        self.passed_rules += len(results.response["passes"])
        found = [
            {"id": v["id"], "impact": v.get("impact"), "nodes": [n["target"] for n in v["nodes"]]}
            for v in results.response["violations"]
        ]
        if found:
            self.problems[name] = found

    async def visit(self, url: str, name: str) -> None:
        await self.page.goto(url)
        await self.check(name)


def save(path: Path, text: str) -> None:
    path.write_text(text)


async def links(page, selector: str) -> list[str]:
    return [await a.get_attribute("href") for a in await page.query_selector_all(selector)]


async def test_every_page_passes_axe_in_both_languages(stack, chromium, artifacts_dir):
    base = stack.gateway_url
    visitor = await (await chromium.new_context()).new_page()
    audit = Audit(visitor)
    for lang in ("pl", "en"):
        for path in PUBLIC:
            await audit.visit(f"{base}{path}?lang={lang}", f"visitor {path} [{lang}]")
        await visitor.goto(f"{base}/pomoc?lang={lang}")
        for href in await links(visitor, ".manual-toc a"):
            await audit.visit(f"{base}{href}", f"visitor {href} [{lang}]")
        await visitor.goto(f"{base}/kontakt")
        await visitor.click("button[type=submit]")
        await visitor.wait_for_selector(".error-summary")
        await audit.check(f"visitor contact form with errors [{lang}]")

    resident = await (await chromium.new_context(viewport={"width": 360, "height": 740})).new_page()
    await browser_login(resident, stack)
    audit.page = resident
    for lang in ("pl", "en"):
        for path in RESIDENT:
            await audit.visit(f"{base}{path}?lang={lang}", f"resident {path} [{lang}]")
        await resident.goto(f"{base}/woda")
        water_links = await links(resident, "main a[href^='/woda/']")
        for href in sorted(set(water_links))[:12]:
            await audit.visit(f"{base}{href}", f"resident {href} [{lang}]")
        await resident.goto(f"{base}/odpady")
        for href in (await links(resident, "main a[href^='/odpady/zmiana']"))[:1]:
            await audit.visit(f"{base}{href}", f"resident {href} [{lang}]")
            await resident.click("main button[type=submit]")
            await audit.check(f"resident waste change after submit [{lang}]")
        await resident.goto(f"{base}/podatki")
        tax_forms = await links(resident, "main a[href^='/podatki/informacja']")
        assert tax_forms, "the demo resident can file property-tax information"
        await audit.visit(f"{base}{tax_forms[0]}&lang={lang}", f"resident tax form [{lang}]")
        await resident.fill("#obj-0-area", "-120")
        await resident.click("main button[type=submit]")
        await resident.wait_for_selector(".error-summary")
        assert await resident.get_attribute("#obj-0-area", "aria-invalid") == "true"
        await audit.check(f"resident tax form with errors [{lang}]")
        await resident.goto(f"{base}/woda")
        await resident.click("main a[href^='/woda/odczyt?punkt=']")
        first = await resident.query_selector("input[id^=value_]")
        await first.fill("1")
        await resident.click("button[data-final='1']")
        await resident.wait_for_selector(".error-summary")
        await audit.check(f"resident reading form with errors [{lang}]")
        await resident.goto(f"{base}/kontakt")
        await resident.click("button[type=submit]")
        await resident.wait_for_selector(".error-summary")
        await audit.check(f"resident contact form with errors [{lang}]")
        await resident.goto(f"{base}/naleznosci/historia?modul=water&lang={lang}")
        await audit.check(f"resident statement of one section [{lang}]")
        await resident.fill("#od", "2026-12-01")
        await resident.fill("#do", "2026-01-01")
        await resident.click("main button[type=submit]")
        await resident.wait_for_selector(".error-summary")
        assert await resident.get_attribute("#od", "aria-invalid") == "true"
        await audit.check(f"resident statement with errors [{lang}]")
    report = json.dumps({"pages": audit.pages, "violations": audit.problems}, indent=1)
    save(Path(artifacts_dir, "axe-portal.json"), report)
    assert audit.pages >= 60
    assert audit.passed_rules > audit.pages * 10, "axe really ran its rules"
    assert audit.problems == {}
