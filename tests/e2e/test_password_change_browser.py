"""The forced password change in a real headless Chromium (system chromium through Playwright).

A clerk made by `create-user` opens the back office, logs in on identity's page with the printed
temporary password, enrols TOTP, lands on "Ustaw nowe hasło", gets errors tied to the fields,
and only with a password of their own reaches the admin app. axe-core (WCAG 2.1 A and AA) runs
on the form before and after an error, in Polish and in English.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pyotp
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "identity" / "tests"))

from identity_stack import identity_stack

from identity import cli

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
CLERK = "ewa.nowicka@example.pl"
NEW = "Wlasne-Zielone-Jablko-77"

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="system chromium not installed"),
    pytest.mark.timeout(300),
]


@pytest.fixture
async def stack(make_database, nats_url):
    async with identity_stack(make_database, nats_url) as s:
        yield s


@pytest.fixture
async def chromium():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()


class Audit:
    """Runs axe on the current page and keeps every violation (any impact) by page."""

    def __init__(self, page) -> None:
        from axe_playwright_python.async_playwright import Axe

        self.axe, self.page = Axe(), page
        self.problems: dict[str, list[dict]] = {}
        self.passed: dict[str, int] = {}

    async def check(self, name: str) -> None:
        results = await self.axe.run(self.page, options={"runOnly": TAGS})
        self.passed[name] = len(results.response["passes"])
        found = [
            {"id": v["id"], "impact": v.get("impact"), "nodes": [n["target"] for n in v["nodes"]]}
            for v in results.response["violations"]
        ]
        if found:
            self.problems[name] = found


async def submit(page, new: str, confirm: str) -> None:
    await page.fill("#f-new_password", new)
    await page.fill("#f-new_password_confirm", confirm)
    async with page.expect_navigation():
        await page.click("main button[type=submit]")


async def assert_error_tied_to(page, field: str, text: str) -> None:
    """The message sits next to the field, is announced with it and the summary leads to it."""
    error = page.locator(f"#e-{field}")
    assert text in await error.inner_text()
    described = (await page.get_attribute(f"#f-{field}", "aria-describedby") or "").split()
    assert f"e-{field}" in described
    assert await page.get_attribute(f"#f-{field}", "aria-invalid") == "true"
    # next to it: the error is the field's previous element sibling in the form
    before = await page.evaluate(
        "id => document.getElementById(id).previousElementSibling.id", f"f-{field}"
    )
    assert before == f"e-{field}"
    summary = page.locator("#bledy[role=alert]")
    assert text in await summary.inner_text()
    await summary.locator(f"a[href='#f-{field}']").click()
    assert await page.evaluate("document.activeElement.id") == f"f-{field}"
    for other in ("new_password", "new_password_confirm"):
        if other != field:
            assert await page.get_attribute(f"#f-{other}", "aria-invalid") is None


async def test_created_clerk_changes_the_password_in_chromium(
    stack, chromium, artifacts_dir, capsys
):
    argv = ["--role", "clerk", "--email", CLERK, "--name", "Ewa Nowicka"]
    assert await cli.create_user(stack.identity, argv) == 0
    temporary = capsys.readouterr().out.split("one-time password: ")[1].split()[0]
    shot = Path(artifacts_dir)

    page = await (await chromium.new_context()).new_page()
    audit = Audit(page)
    await page.goto(f"{stack.admin_url}/konta")
    assert page.url.startswith(f"{stack.identity_url}/logowanie")
    await page.fill("#f-email", CLERK)
    await page.fill("#f-password", temporary)
    async with page.expect_navigation():
        await page.click("main button[type=submit]")
    secret = await page.inner_text("#totp-secret")
    await page.fill("#f-code", pyotp.TOTP(secret).now())
    async with page.expect_navigation():
        await page.click("main button[type=submit]")
    assert page.url == f"{stack.identity_url}/haslo/zmiana"

    # Polish: the form, then a password too short
    assert await page.inner_text("h1") == "Ustaw nowe hasło"
    assert await page.get_attribute("html", "lang") == "pl"
    assert await page.locator("#bledy").count() == 0
    await audit.check("change password [pl]")
    await page.screenshot(path=str(shot / "identity-password-change-pl.png"), full_page=True)
    await submit(page, "krotkie", "krotkie")
    await assert_error_tied_to(
        page, "new_password", "Nowe hasło: Hasło musi mieć co najmniej 12 znaków."
    )
    await audit.check("change password with an error [pl]")
    await page.screenshot(path=str(shot / "identity-password-change-error-pl.png"), full_page=True)

    # English through the page's own language switch; the choice holds for the POST
    async with page.expect_navigation():
        await page.click("header a[lang=en]")
    assert page.url == f"{stack.identity_url}/haslo/zmiana?lang=en"
    assert await page.inner_text("h1") == "Set a new password"
    assert await page.get_attribute("html", "lang") == "en"
    await audit.check("change password [en]")
    await page.screenshot(path=str(shot / "identity-password-change-en.png"), full_page=True)
    await submit(page, NEW, NEW + "x")
    await assert_error_tied_to(
        page, "new_password_confirm", "Repeat the new password: The passwords differ."
    )
    assert await page.get_attribute("html", "lang") == "en"
    await audit.check("change password with an error [en]")
    await page.screenshot(path=str(shot / "identity-password-change-error-en.png"), full_page=True)

    # until the password is the clerk's own, the back office sends them back to the form
    await page.goto(f"{stack.admin_url}/konta")
    assert page.url == f"{stack.identity_url}/haslo/zmiana"

    report = {"passed_rules": audit.passed, "violations": audit.problems}
    (shot / "axe-identity-password-change.json").write_text(json.dumps(report, indent=1))
    assert len(audit.passed) == 4
    assert all(n > 10 for n in audit.passed.values()), "axe really ran its rules"
    assert audit.problems == {}

    await submit(page, NEW, NEW)
    await page.wait_for_url(f"{stack.admin_url}/konta")
    assert "Konta mieszkańców" in await page.inner_text("main")
    await page.screenshot(path=str(shot / "identity-password-change-done.png"), full_page=True)
    # the form is gone for good: identity sends the clerk on instead of asking again,
    # and the back office keeps them signed in
    await page.goto(f"{stack.identity_url}/haslo/zmiana")
    assert "/haslo/zmiana" not in page.url
    await page.goto(f"{stack.admin_url}/konta")
    assert page.url == f"{stack.admin_url}/konta"
    assert "Konta mieszkańców" in await page.inner_text("h1")
