"""Routes of the reading form: form, live preview (works without JavaScript), submit, details."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.auth import CurrentUser, require_verified
from gateway.features.water import client, views
from gateway.web.dates import today
from gateway.web.i18n import N_
from portal.common.v1 import common_pb2
from portal.water.v1 import water_pb2
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError, InvalidArgument, NotFound

router = APIRouter()
Resident = Annotated[CurrentUser, Depends(require_verified)]
PREVIEW_HEADER = "x-podglad"


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    ctx.setdefault("v", views)
    response: Response = request.app.state.templates.TemplateResponse(
        request, name, ctx, status_code=status
    )
    return response


async def _premises(request: Request, user: CurrentUser, premises_id: str) -> Any:
    return (
        await client.water(
            request, user, "GetPremises", water_pb2.GetPremisesRequest(premises_id=premises_id)
        )
    ).premises


def _context(premises: Any, form: dict[str, str] | None = None) -> dict[str, Any]:
    form = form or {}
    active = [m for m in premises.meters if m.active]
    return {
        "premises": premises,
        "meters": active,
        "values": {m.meter_id: form.get(f"value_{m.meter_id}", "") for m in active},
        "reading_date": form.get("reading_date") or today().isoformat(),
        "token": form.get("idempotency_token") or uuid.uuid4().hex,
        "confirm": form.get("confirm_warnings") == "1",
        "preview": None,
        "warnings": [],
        "needs_confirmation": False,
        "error": None,
    }


def _request_parts(premises: Any, form: dict[str, str]) -> tuple[Any, list[Any]]:
    """The date (a clear error when unreadable) and the values typed for active meters."""
    day = views.parse_date(form.get("reading_date", ""))
    if day is None:
        raise InvalidArgument(N_("Podaj datę odczytu w formacie RRRR-MM-DD."), field="reading_date")
    values = [
        water_pb2.ReadingValueInput(
            meter_id=m.meter_id, value_m3=form.get(f"value_{m.meter_id}", "")
        )
        for m in premises.meters
        if m.active
    ]
    return common_pb2.Date(year=day.year, month=day.month, day=day.day), values


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: str(v) for k, v in data.items()}


@router.get("/woda/odczyt", response_class=HTMLResponse)
async def reading_form(request: Request, user: Resident) -> Response:
    """The form: one field per installed meter, today's date, a one-time form token."""
    try:
        premises = await _premises(request, user, request.query_params.get("punkt", ""))
    except NotFound as exc:
        return render(request, "water/not_found.html", {"message": exc.message}, status=404)
    return render(request, "water/form.html", _context(premises))


@router.post(
    "/woda/odczyt/podglad", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)]
)
async def reading_preview(request: Request, user: Resident) -> Response:
    """The invoice the reading would produce; a fragment for the script, else the whole form."""
    form = await _form(request)
    fragment = request.headers.get(PREVIEW_HEADER) == "1"
    try:
        premises = await _premises(request, user, form.get("premises_id", ""))
    except NotFound as exc:
        return render(request, "water/not_found.html", {"message": exc.message}, status=404)
    ctx = _context(premises, form)
    status = 200
    try:
        day, values = _request_parts(premises, form)
        got = await client.water(
            request,
            user,
            "PreviewReading",
            water_pb2.PreviewReadingRequest(
                premises_id=premises.premises_id, reading_date=day, values=values
            ),
        )
        ctx.update(preview=got.preview, warnings=got.warnings)
    except DomainError as exc:
        ctx["error"] = exc
        status = 422 if not fragment else 200
    return render(request, "water/_preview.html" if fragment else "water/form.html", ctx, status)


@router.post("/woda/odczyt", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def reading_submit(request: Request, user: Resident) -> Response:
    """Save the reading once (the form token makes a double submit harmless)."""
    form = await _form(request)
    try:
        premises = await _premises(request, user, form.get("premises_id", ""))
    except NotFound as exc:
        return render(request, "water/not_found.html", {"message": exc.message}, status=404)
    ctx = _context(premises, form)
    try:
        day, values = _request_parts(premises, form)
        got = await client.water(
            request,
            user,
            "SubmitReading",
            water_pb2.SubmitReadingRequest(
                premises_id=premises.premises_id,
                reading_date=day,
                values=values,
                idempotency_token=ctx["token"],
                confirm_warnings=ctx["confirm"],
            ),
        )
    except DomainError as exc:
        ctx["error"] = exc
        return render(request, "water/form.html", ctx, status=422)
    if got.needs_confirmation:
        ctx.update(warnings=got.warnings, needs_confirmation=True)
        return render(request, "water/form.html", ctx)
    return RedirectResponse(f"/woda/odczyt/{got.reading.reading_id}?wyslano=1", status_code=303)


@router.get("/woda/odczyt/{reading_id}", response_class=HTMLResponse)
async def reading_details(reading_id: str, request: Request, user: Resident) -> Response:
    """One reading: values, status, the clerk's reason and the invoice (preview or issued)."""
    try:
        reading = (
            await client.water(
                request, user, "GetReading", water_pb2.GetReadingRequest(reading_id=reading_id)
            )
        ).reading
    except NotFound as exc:
        return render(request, "water/not_found.html", {"message": exc.message}, status=404)
    booked = None
    if reading.settlement_id:
        keys = await client.booked_keys(request, user, reading.payer_id)
        booked = None if keys is None else reading.reading_id in keys
    return render(
        request,
        "water/reading.html",
        {
            "reading": reading,
            "sent": request.query_params.get("wyslano") == "1",
            "booked": booked,
        },
    )
