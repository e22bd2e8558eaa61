"""Routes of Pulpit (/), the public home page and the generic page of a module (/modul/<key>)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from gateway.auth import (
    CurrentUser,
    VerificationRequired,
    current_user,
    require_user,
    require_verified,
)
from gateway.clients import service_channel
from gateway.features.billing import views as billing_views
from gateway.features.dashboard import summary, views
from gateway.features.status.routes import statuses
from gateway.web.dates import today
from gateway.web.i18n import language
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal_platform.rpc.client import call

router = APIRouter()
Resident = Annotated[CurrentUser, Depends(require_verified)]


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, f"dashboard/{name}", {**billing_views.HELPERS, **ctx}, status_code=status
    )


def module_pages(request: Request) -> dict[str, str]:
    return {e.module: e.href for e in request.app.state.menu_entries if e.module}


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    """Pulpit for a logged-in resident; a welcoming page about the portal for everyone else."""
    user = current_user(request)
    if user is None:
        # the services' state stays on the home page (monitoring and `make run` read it)
        found = await statuses(request)
        ctx = {"statuses": found, "all_ok": all(x.ok for x in found)}
        return render(request, "public.html", {"register_url": register_url(request), **ctx})
    user = await require_user(request)
    if not user.verified:
        try:
            user = await require_verified(request)
        except VerificationRequired:
            return render(request, "unverified.html", {"user": user})
    on = today()
    payers = await summary.summaries(request, user, module_pages(request), on)
    charts = []
    for i, p in enumerate(payers):
        months = views.fees_by_month(p.charges, on)
        svg = views.fees_chart(f"oplaty-{i + 1}", months) if "charges" not in p.missing else ""
        charts.append((months, svg))
    return render(request, "home.html", {"payers": payers, "charts": charts, "user": user})


def register_url(request: Request) -> str:
    return f"{request.app.state.settings.oidc_issuer.rstrip('/')}/rejestracja"


@router.get("/modul/{key}", response_class=HTMLResponse)
async def module_page(request: Request, key: str, user: Resident) -> Response:
    """A module without its own screens: its summary, what is due and its documents."""
    registry = request.app.state.modules
    await registry.ensure(user.access_token)
    module = registry.by_key(key)
    if module is None:
        raise HTTPException(status_code=404)
    stub = billing_pb2_grpc.BillingServiceStub(service_channel(request, "billing"))
    t = user.access_token

    async def one(payer_id: str) -> dict[str, Any]:
        s = await summary.payer_summary(request, user, payer_id, [module], {}, today())
        charges, docs = await asyncio.gather(
            call(
                stub.ListOpenCharges,
                billing_pb2.ListOpenChargesRequest(payer_id=payer_id, module=module.key),
                token=t,
            ),
            call(
                stub.ListDocuments,
                billing_pb2.ListDocumentsRequest(payer_id=payer_id, module=module.key),
                token=t,
            ),
        )
        return {"summary": s, "charges": list(charges.charges), "documents": list(docs.documents)}

    payers = await asyncio.gather(*(one(p) for p in user.payers))
    return render(
        request,
        "module.html",
        {"module": module, "payers": payers, "title": module.section(language())},
    )
