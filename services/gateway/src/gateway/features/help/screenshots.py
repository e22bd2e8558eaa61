"""Screenshots of the real portal for the manual, taken in headless Chromium.

`python -m gateway screenshots [--url URL] [--email E] [--password P] [--out DIR]` against a
running portal (`make run` and the demo data: `python -m identity demo`, `python -m water demo`,
`python -m waste demo`). The e2e journey test calls `capture` against its own full stack, so the
script is exercised on every test run; the committed images are quantised to stay small.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

from gateway.features.help.manual import IMAGES_DIR
from portal_platform.logging import get_logger
from portal_platform.service import Runtime

log = get_logger(__name__)
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
VIEWPORT = {"width": 1000, "height": 760}
COLOURS = 48


def shrink(png: bytes) -> bytes:
    """Quantise to a small palette: screenshots of a flat UI stay legible at a fraction of the size."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT).save(
        out, format="PNG", optimize=True
    )
    return out.getvalue()


def _save(out: Path, name: str, png: bytes) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_bytes(shrink(png))


def _saved(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob("*.png"))


async def _shot(page: Any, out: Path, name: str, height: int = 0) -> None:
    """The viewport, or its top `height` pixels of the whole page (a longer page's table)."""
    if height:
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height}
        _save(out, name, await page.screenshot(full_page=True, clip=clip))
    else:
        _save(out, name, await page.screenshot(full_page=False))


async def capture(browser: Any, base_url: str, email: str, password: str, out: Path) -> list[str]:
    """Log in as the resident, visit the pages the manual shows, save one PNG per page."""
    context = await browser.new_context(viewport=VIEWPORT, locale="pl-PL")
    page = await context.new_page()
    await page.goto(f"{base_url}/?lang=pl")
    await _shot(page, out, "strona-glowna.png")
    await page.goto(f"{base_url}/logowanie")
    identity = page.url.split("/", 3)
    await _shot(page, out, "logowanie.png")
    await page.fill("#f-email", email)
    await page.fill("#f-password", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base_url}/")
    await _shot(page, out, "pulpit.png")
    await page.goto(f"{base_url}/woda")
    await page.click("text=Podaj odczyt")
    await page.wait_for_selector("#odczyt")
    for field in await page.query_selector_all("input[id^=value_]"):
        field_id = await field.get_attribute("id")
        hint = await page.inner_text(f"#{field_id}-pomoc")
        previous = int(hint.split(":", 1)[1].split("m³")[0].strip())
        main = "główny" in await page.inner_text(f"label[for='{field_id}']")
        await field.fill(str(previous + (11 if main else 2)))
    await page.click("text=Pokaż podgląd faktury")
    await page.wait_for_selector("#podglad table")
    await _shot(page, out, "woda-odczyt.png")
    for path, name, height in (
        ("/naleznosci", "naleznosci.png", 0),
        ("/naleznosci/historia", "historia-rozliczen.png", 1150),
        ("/platnosci", "platnosci.png", 0),
        ("/dokumenty", "dokumenty.png", 0),
        ("/kontakt", "kontakt.png", 0),
        ("/konto", "profil.png", 0),
    ):
        await page.goto(base_url + path)
        await _shot(page, out, name, height)
    await page.goto(f"{identity[0]}//{identity[2]}/rejestracja/osoba")
    await _shot(page, out, "rejestracja.png")
    await context.close()
    return _saved(out)


async def command(rt: Runtime, args: list[str]) -> int:
    """`python -m gateway screenshots`: refresh the manual's images from a running portal."""
    from playwright.async_api import async_playwright

    parser = argparse.ArgumentParser(prog="python -m gateway screenshots")
    parser.add_argument("--url", default=f"http://127.0.0.1:{rt.settings.http_port}")
    parser.add_argument("--email", default="jan.kowalski@example.pl")
    parser.add_argument("--password", default="Demo-Mieszkaniec-2026")
    parser.add_argument("--out", default=str(IMAGES_DIR))
    ns = parser.parse_args(args)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            names = await capture(browser, ns.url.rstrip("/"), ns.email, ns.password, Path(ns.out))
        finally:
            await browser.close()
    log.info("manual screenshots saved", folder=ns.out, files=names)
    return 0
