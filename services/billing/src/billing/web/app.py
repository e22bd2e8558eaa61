"""Billing over HTTP: the sandbox payment provider's pages and providers' notifications.

The sandbox is for local runs and tests only; in production the notification endpoint is
reached through the gateway (`/platnosci/powiadomienie/<provider>`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from billing.documents.money import pln
from billing.payments import service as payments
from billing.payments.models import Payment
from billing.payments.providers.base import InvalidNotification, PaymentProvider
from billing.payments.providers.sandbox import SandboxProvider
from billing.rpc.support import Support
from portal_platform.http import mount_health
from portal_platform.logging import get_logger

log = get_logger(__name__)
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.filters["pln"] = pln


async def handle_notification(s: Support, provider: PaymentProvider, body: bytes) -> bool:
    """Check the signature and the amount, verify with the provider, then book — or nothing."""
    try:
        n = provider.parse_notification(body)
        async with s.db.transaction() as session:
            p = await payments.check(session, provider.name, n)
            if p.status not in payments.ACTIVE:
                return True  # already handled: a repeated notification changes nothing
        if n.status == "settled" and not await provider.verify(n):
            log.warning("payment verify refused", provider=provider.name, session=n.session_id)
            return False
        delay = s.settings.sandbox_settlement_delay_s if provider.name == "sandbox" else None
        async with s.db.transaction() as session:
            await payments.on_notification(
                session, s.ctx, s.outbox, provider.name, n, settle_delay=delay
            )
        return True
    except InvalidNotification as exc:
        log.warning("payment notification rejected", provider=provider.name, reason=str(exc))
        return False


async def settle_sandbox(s: Support, sandbox: SandboxProvider, stop: asyncio.Event) -> None:
    """The sandbox's asynchronous settlement: in-progress payments settle after the delay."""
    while not stop.is_set():
        try:
            async with s.db.sessions() as session:
                due = await payments.due_for_settlement(session, "sandbox", datetime.now(UTC))
            for p in due:
                await handle_notification(
                    s, sandbox, sandbox.notification(p.id, p.amount_grosze, "settled")
                )
        except Exception:
            log.warning("sandbox settlement failed", exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.3)


def create_app(s: Support) -> FastAPI:
    sandbox = s.provider if isinstance(s.provider, SandboxProvider) else None

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(settle_sandbox(s, sandbox, stop)) if sandbox else None
        yield
        stop.set()
        if task:
            await task

    app = FastAPI(
        title="Billing", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    mount_health(app, "billing")

    @app.post("/notify/{provider_name}")
    async def notify(provider_name: str, request: Request) -> Response:
        if provider_name != s.provider.name:
            return PlainTextResponse("unknown provider", status_code=404)
        ok = await handle_notification(s, s.provider, await request.body())
        return PlainTextResponse("OK" if ok else "REJECTED", status_code=200 if ok else 400)

    if sandbox is None:
        return app

    async def _payment(payment_id: str) -> Any:
        async with s.db.sessions() as session:
            return await session.get(Payment, payment_id)

    @app.get("/sandbox/{payment_id}", response_class=HTMLResponse)
    async def sandbox_page(payment_id: str, request: Request) -> Response:
        p = await _payment(payment_id)
        if p is None or p.provider != "sandbox":
            return HTMLResponse(
                "<!doctype html><html lang=pl><title>Nie znaleziono</title><h1>Nie ma takiej płatności</h1></html>",
                status_code=404,
            )
        return TEMPLATES.TemplateResponse(request, "sandbox.html", {"p": p, "gmina": s.ctx.gmina})

    @app.post("/sandbox/{payment_id}/{action}")
    async def sandbox_action(payment_id: str, action: str) -> Response:
        p = await _payment(payment_id)
        if p is None or p.provider != "sandbox" or action not in ("pay", "fail"):
            return PlainTextResponse("Nie ma takiej płatności.", status_code=404)
        status = "in_progress" if action == "pay" else "failed"
        await handle_notification(s, sandbox, sandbox.notification(p.id, p.amount_grosze, status))
        target = p.return_url or "/"
        sep = "&" if "?" in target else "?"
        return RedirectResponse(f"{target}{sep}platnosc={p.id}", status_code=303)

    return app
