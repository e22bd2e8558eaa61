"""Admin: readings waiting for verification — filter, accept, correct, reject, bulk accept."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.features.water.common import Clerk, pb_date, render, water
from portal.water.v1 import water_pb2
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError, NotFound

router = APIRouter()
PAGE = 50
STATUSES = {
    "pending": "Czekające na weryfikację",
    "accepted": "Przyjęte",
    "corrected": "Poprawione",
    "rejected": "Odrzucone",
    "superseded": "Zastąpione nowszym",
}
FLASH = "woda_flash"


def _flash(request: Request, message: str, problems: list[str] | None = None) -> None:
    request.session[FLASH] = {"message": message, "problems": (problems or [])[:10]}


def _take_flash(request: Request) -> dict[str, Any] | None:
    flash: dict[str, Any] | None = request.session.pop(FLASH, None)
    return flash


@router.get("/woda/odczyty", response_class=HTMLResponse)
async def queue(request: Request, clerk: Clerk) -> Response:
    """The verification queue with filters (status, flagged, group, text, dates)."""
    q = request.query_params
    filters: dict[str, Any] = {
        "status": q.get("status", "pending")
        if q.get("status", "pending") in STATUSES
        else "pending",
        "flagged": q.get("oznaczone") == "1",
        "group": q.get("grupa", ""),
        "query": q.get("szukaj", ""),
        "date_from": q.get("od", ""),
        "date_to": q.get("do", ""),
    }
    try:
        page = max(int(q.get("strona", "1") or 1), 1)
    except ValueError:
        page = 1
    error = None
    rows: Any = []
    total = 0
    try:
        resp = await water(
            request,
            clerk,
            "ListReadingsForVerification",
            water_pb2.ListReadingsForVerificationRequest(
                status=filters["status"],
                flagged_only=filters["flagged"],
                group=filters["group"],
                query=filters["query"],
                date_from=pb_date(filters["date_from"], "od"),
                date_to=pb_date(filters["date_to"], "do"),
                limit=PAGE,
                offset=(page - 1) * PAGE,
            ),
        )
        rows, total = resp.readings, resp.total
    except DomainError as exc:
        error = exc
    groups = (
        await water(request, clerk, "ListCustomerGroups", water_pb2.ListCustomerGroupsRequest())
    ).groups
    return render(
        request,
        "water/queue.html",
        {
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max((total + PAGE - 1) // PAGE, 1),
            "filters": filters,
            "groups": groups,
            "statuses": STATUSES,
            "error": error,
            "flash": _take_flash(request),
            "query_string": str(q),
        },
        status=422 if error else 200,
    )


@router.post("/woda/odczyty/przyjmij", dependencies=[Depends(verify_csrf)])
async def accept_selected(request: Request, clerk: Clerk) -> Response:
    """Bulk accept: every selected reading, in batches, one transaction per batch."""
    form = await request.form()
    ids = [str(x) for x in form.getlist("reading_id")]
    back = str(form.get("back", "")) or "/woda/odczyty"
    if not back.startswith("/woda/odczyty"):
        back = "/woda/odczyty"
    if not ids:
        _flash(request, "Nie zaznaczono żadnego odczytu.")
        return RedirectResponse(back, status_code=303)
    resp = await water(
        request, clerk, "AcceptReadings", water_pb2.AcceptReadingsRequest(reading_ids=ids)
    )
    _flash(
        request,
        f"Przyjęto odczytów: {len(resp.accepted_ids)}. Faktury wysłano do księgowania.",
        [f"{f.reading_id[:8]}…: {f.message}" for f in resp.failures],
    )
    return RedirectResponse(back, status_code=303)


async def _reading_context(request: Request, clerk: Clerk, reading_id: str) -> dict[str, Any]:
    reading = (
        await water(
            request, clerk, "GetReading", water_pb2.GetReadingRequest(reading_id=reading_id)
        )
    ).reading
    premises = (
        await water(
            request,
            clerk,
            "GetPremises",
            water_pb2.GetPremisesRequest(premises_id=reading.premises_id),
        )
    ).premises
    submitted = {v.meter_id: str(v.value_m3) for v in reading.values}
    log = await water(
        request,
        clerk,
        "ListAuditEntries",
        water_pb2.ListAuditEntriesRequest(entity="reading", entity_ids=[reading_id]),
    )
    return {
        "audit": log.entries,
        "reading": reading,
        "premises": premises,
        "meters": [m for m in premises.meters if m.meter_id in submitted or m.active],
        "values": submitted,
        "reason": "",
        "error": None,
        "flash": _take_flash(request),
    }


@router.get("/woda/odczyty/{reading_id}", response_class=HTMLResponse)
async def reading_page(reading_id: str, request: Request, clerk: Clerk) -> Response:
    try:
        ctx = await _reading_context(request, clerk, reading_id)
    except NotFound as exc:
        return render(request, "water/message.html", {"message": exc.message}, status=404)
    return render(request, "water/reading.html", ctx)


@router.post("/woda/odczyty/{reading_id}/decyzja", dependencies=[Depends(verify_csrf)])
async def decide(reading_id: str, request: Request, clerk: Clerk) -> Response:
    """Accept, correct (new values and a reason the resident sees) or reject (a reason)."""
    form = await request.form()
    decision = str(form.get("decision", ""))
    reason = str(form.get("reason", ""))
    try:
        ctx = await _reading_context(request, clerk, reading_id)
    except NotFound as exc:
        return render(request, "water/message.html", {"message": exc.message}, status=404)
    values = [
        water_pb2.ReadingValueInput(
            meter_id=m.meter_id,
            value_m3=str(form.get(f"value_{m.meter_id}", "")),
            rollover=form.get(f"rollover_{m.meter_id}") == "1",
        )
        for m in ctx["meters"]
        if f"value_{m.meter_id}" in form
    ]
    try:
        await water(
            request,
            clerk,
            "DecideReading",
            water_pb2.DecideReadingRequest(
                reading_id=reading_id,
                decision=decision,
                values=values if decision == "correct" else [],
                reason=reason,
            ),
        )
    except DomainError as exc:
        ctx.update(
            error=exc,
            reason=reason,
            decision=decision,
            values={v.meter_id: v.value_m3 for v in values} or ctx["values"],
        )
        return render(request, "water/reading.html", ctx, status=422)
    labels = {"accept": "przyjęty", "correct": "poprawiony", "reject": "odrzucony"}
    _flash(request, f"Odczyt {labels.get(decision, '')} — mieszkaniec zobaczy decyzję w portalu.")
    return RedirectResponse("/woda/odczyty", status_code=303)
