"""Routes of the "Odpady" section (resident UI)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

import grpc
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.auth import CurrentUser, require_verified
from gateway.clients import service_channel
from gateway.features.waste import views
from gateway.web.dates import today
from gateway.web.i18n import N_
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal.common.v1 import common_pb2
from portal.waste.v1 import waste_pb2, waste_pb2_grpc
from portal_platform.csrf import verify_csrf
from portal_platform.error_pages import error_response
from portal_platform.errors import DomainError, NotFound
from portal_platform.logging import get_logger
from portal_platform.rpc.client import call

router = APIRouter()
log = get_logger(__name__)
Resident = Annotated[CurrentUser, Depends(require_verified)]
FORM_FIELDS = (
    "method", "residents", "area_m2", "households", "bins", "collections_per_month",
    "water_m3_month", "water_premises_id", "change_date",
)  # fmt: skip


def render(request: Request, name: str, ctx: dict[str, Any], status_code: int = 200) -> Response:
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, name, ctx, status_code=status_code
    )


def waste_stub(request: Request) -> Any:
    return waste_pb2_grpc.WasteServiceStub(service_channel(request, "waste"))


async def billing_state(
    request: Request, user: CurrentUser, payer_id: str
) -> tuple[dict[str, tuple[str, int]], dict[str, Any] | None]:
    """(Charge id, gross) by idempotency key; open-charge states by charge id (None: unknown)."""
    stub = billing_pb2_grpc.BillingServiceStub(service_channel(request, "billing"))
    charges = await call(
        stub.ListCharges,
        billing_pb2.ListChargesRequest(payer_id=payer_id, module="waste"),
        token=user.access_token,
    )
    ids = {c.idempotency_key: (c.charge_id, c.gross_grosze) for c in charges.charges}
    try:
        open_resp = await call(
            stub.ListOpenCharges,
            billing_pb2.ListOpenChargesRequest(
                payer_id=payer_id, module="waste", include_paid=True
            ),
            token=user.access_token,
        )
    except (grpc.aio.AioRpcError, DomainError):
        log.warning("billing open charges unavailable", payer_id=payer_id)
        return ids, None
    states: dict[str, Any] = {}
    for oc in open_resp.charges:
        if oc.kind in ("", "charge"):
            prev = states.get(oc.charge_id)
            if prev is None:
                states[oc.charge_id] = oc
            else:  # a charge with several due dates: add up what is still owed
                merged = billing_pb2.OpenCharge()
                merged.CopyFrom(prev)
                merged.outstanding_grosze += oc.outstanding_grosze
                states[oc.charge_id] = merged
    return ids, states


@router.get("/odpady", response_class=HTMLResponse)
async def section(request: Request, user: Resident) -> Response:
    """The declaration per property, the yearly amount and its installments with status."""
    stub = waste_stub(request)
    now = today()
    try:
        year = int(request.query_params.get("rok") or 0)
    except ValueError:
        year = 0
    payers = []
    for payer_id in user.payers:
        decls = await call(
            stub.ListDeclarations,
            waste_pb2.ListDeclarationsRequest(payer_id=payer_id),
            token=user.access_token,
        )
        all_inst = await call(
            stub.ListInstallments,
            waste_pb2.ListInstallmentsRequest(payer_id=payer_id),
            token=user.access_token,
        )
        years = sorted({i.year for i in all_inst.installments})
        shown = year or (now.year if now.year in years or not years else years[-1])
        inst = [i for i in all_inst.installments if i.year == shown]
        ids: dict[str, tuple[str, int]] = {}
        states: dict[str, Any] | None = None
        if inst:
            try:
                ids, states = await billing_state(request, user, payer_id)
            except (grpc.aio.AioRpcError, DomainError):
                log.warning("billing unavailable for the waste section", payer_id=payer_id)
        payers.append(
            {
                "payer_id": payer_id,
                "properties": decls.properties,
                "years": years,
                "year": shown,
                "rows": views.installment_rows(inst, ids, states, now),
                "yearly": views.zl(sum(i.amount_grosze for i in inst)),
                "has_installments": bool(inst),
                "status_known": states is not None,
            }
        )
    return render(
        request,
        "waste/section.html",
        {"payers": payers, "v": views, "filed": request.query_params.get("zlozono") == "1"},
    )


def _find_property(decls: Any, property_id: str) -> Any:
    for p in decls.properties:
        if p.property.property_id == property_id:
            return p
    raise NotFound(N_("Nie znaleziono nieruchomości."), field="property_id")


async def _form_context(
    request: Request, user: CurrentUser, payer_id: str, property_id: str
) -> dict[str, Any]:
    if payer_id not in user.payers:
        raise NotFound(N_("Nie znaleziono nieruchomości."), field="property_id")
    decls = await call(
        waste_stub(request).ListDeclarations,
        waste_pb2.ListDeclarationsRequest(payer_id=payer_id),
        token=user.access_token,
    )
    item = _find_property(decls, property_id)
    current = item.current if item.HasField("current") else None
    values = {f: "" for f in FORM_FIELDS}
    flags = {"composting": False, "not_sorting": False}
    if current is not None:
        for f in FORM_FIELDS[:-1]:
            values[f] = getattr(current.input, f)
        flags = {"composting": current.input.composting, "not_sorting": current.input.not_sorting}
    values["change_date"] = today().isoformat()
    return {
        "payer_id": payer_id,
        "item": item,
        "values": values,
        "flags": flags,
        "methods": views.METHOD_LABELS,
        "error": None,
        "v": views,
    }


@router.get("/odpady/zmiana", response_class=HTMLResponse)
async def change_form(request: Request, user: Resident) -> Response:
    """Form of a new declaration (a change) for one property, prefilled with the current one."""
    payer_id = request.query_params.get("platnik", "")
    property_id = request.query_params.get("nieruchomosc", "")
    try:
        ctx = await _form_context(request, user, payer_id, property_id)
    except NotFound as exc:
        return error_response(request, 404, exc.message)
    return render(request, "waste/change.html", ctx)


@router.post("/odpady/zmiana", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def change_submit(request: Request, user: Resident) -> Response:
    """File the change as a draft; the office confirms it like a paper form."""
    form = await request.form()
    payer_id = str(form.get("payer_id", ""))
    property_id = str(form.get("property_id", ""))
    try:
        ctx = await _form_context(request, user, payer_id, property_id)
    except NotFound as exc:
        return error_response(request, 404, exc.message)
    values = {f: str(form.get(f, "")).strip() for f in FORM_FIELDS}
    flags = {
        "composting": form.get("composting") == "1",
        "not_sorting": form.get("not_sorting") == "1",
    }
    ctx.update(values=values, flags=flags)
    change = _parse_date(values["change_date"])
    if change is None:
        ctx["error"] = DomainError(N_("Podaj datę w formacie RRRR-MM-DD."), field="change_date")
        return render(request, "waste/change.html", ctx, status_code=422)
    req = waste_pb2.FileDeclarationRequest(
        property_id=property_id,
        payer_id=payer_id,
        input=waste_pb2.DeclarationInput(**{f: values[f] for f in FORM_FIELDS[:-1]}, **flags),
        change_date=common_pb2.Date(year=change.year, month=change.month, day=change.day),
    )
    try:
        await call(waste_stub(request).FileDeclaration, req, token=user.access_token)
    except DomainError as exc:
        ctx["error"] = exc
        return render(request, "waste/change.html", ctx, status_code=422)
    return RedirectResponse(f"/odpady?zlozono=1#{quote(property_id)}", status_code=303)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
