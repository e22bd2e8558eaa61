"""Admin: premises and meters (installation, replacement, legalisation), clerk's readings."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.features.water.common import Clerk, pb_date, render, water
from admin.features.water.readings import _flash, _take_flash
from portal.water.v1 import water_pb2
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError, NotFound

router = APIRouter()


async def _groups(request: Request, clerk: Clerk) -> Any:
    return (
        await water(request, clerk, "ListCustomerGroups", water_pb2.ListCustomerGroupsRequest())
    ).groups


@router.get("/woda/punkty", response_class=HTMLResponse)
async def premises_list(request: Request, clerk: Clerk) -> Response:
    """Search premises; create a point of supply for a payer."""
    return await _premises_list(request, clerk)


async def _premises_list(
    request: Request,
    clerk: Clerk,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    query = request.query_params.get("szukaj", "")
    found = (
        await water(
            request, clerk, "ListPremises", water_pb2.ListPremisesRequest(query=query, limit=200)
        )
    ).premises
    return render(
        request,
        "water/premises_list.html",
        {
            "premises": found,
            "query": query,
            "groups": await _groups(request, clerk),
            "error": error,
            "form": form or {"sewer": "1"},
            "flash": _take_flash(request),
        },
        status=422 if error else 200,
    )


@router.post("/woda/punkty", dependencies=[Depends(verify_csrf)])
async def premises_create(request: Request, clerk: Clerk) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        p = (
            await water(
                request,
                clerk,
                "CreatePremises",
                water_pb2.CreatePremisesRequest(
                    payer_id=form.get("payer_id", ""),
                    number=form.get("number", ""),
                    address=form.get("address", ""),
                    group=form.get("group", ""),
                    sewer=form.get("sewer") == "1",
                ),
            )
        ).premises
    except DomainError as exc:
        return await _premises_list(request, clerk, error=exc, form=form)
    _flash(request, f"Utworzono punkt poboru {p.number}.")
    return RedirectResponse(f"/woda/punkty/{p.premises_id}", status_code=303)


@router.get("/woda/punkty/{premises_id}", response_class=HTMLResponse)
async def premises_page(premises_id: str, request: Request, clerk: Clerk) -> Response:
    """A premises: meters with legalisation, install / replace, clerk's reading, history."""
    return await _premises_page(premises_id, request, clerk)


async def _premises_page(
    premises_id: str,
    request: Request,
    clerk: Clerk,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
    which: str = "",
) -> Response:
    try:
        p = (
            await water(
                request, clerk, "GetPremises", water_pb2.GetPremisesRequest(premises_id=premises_id)
            )
        ).premises
    except NotFound as exc:
        return render(request, "water/message.html", {"message": exc.message}, status=404)
    readings = (
        await water(
            request,
            clerk,
            "ListReadings",
            water_pb2.ListReadingsRequest(premises_id=premises_id, limit=50),
        )
    ).readings
    settlements = (
        await water(
            request,
            clerk,
            "ListSettlements",
            water_pb2.ListSettlementsRequest(premises_id=premises_id),
        )
    ).settlements
    log = await water(
        request,
        clerk,
        "ListAuditEntries",
        water_pb2.ListAuditEntriesRequest(entity="premises", entity_ids=[premises_id]),
    )
    return render(
        request,
        "water/premises.html",
        {
            "audit": log.entries,
            "p": p,
            "readings": readings,
            "settlements": settlements,
            "error": error,
            "which": which,
            "form": form or {},
            "token": uuid.uuid4().hex,
            "flash": _take_flash(request),
        },
        status=422 if error else 200,
    )


@router.post("/woda/punkty/{premises_id}/wodomierze", dependencies=[Depends(verify_csrf)])
async def meter_install(premises_id: str, request: Request, clerk: Clerk) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        await water(
            request,
            clerk,
            "InstallMeter",
            water_pb2.InstallMeterRequest(
                premises_id=premises_id,
                kind=form.get("kind", ""),
                serial=form.get("serial", ""),
                installed_on=pb_date(form.get("installed_on", ""), "installed_on", required=True),
                initial_m3=form.get("initial_m3", ""),
                legalised_on=pb_date(form.get("legalised_on", ""), "legalised_on"),
                digits=int(form.get("digits") or 0) if (form.get("digits") or "0").isdigit() else 0,
            ),
        )
    except DomainError as exc:
        return await _premises_page(premises_id, request, clerk, exc, form, "install")
    _flash(request, "Zamontowano wodomierz.")
    return RedirectResponse(f"/woda/punkty/{premises_id}", status_code=303)


@router.post("/woda/wodomierze/{meter_id}/wymiana", dependencies=[Depends(verify_csrf)])
async def meter_replace(meter_id: str, request: Request, clerk: Clerk) -> Response:
    """Replacement: the old meter's final reading and the new meter's initial reading."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    premises_id = form.get("premises_id", "")
    try:
        await water(
            request,
            clerk,
            "ReplaceMeter",
            water_pb2.ReplaceMeterRequest(
                meter_id=meter_id,
                replaced_on=pb_date(form.get("replaced_on", ""), "replaced_on", required=True),
                final_m3=form.get("final_m3", ""),
                new_serial=form.get("new_serial", ""),
                new_initial_m3=form.get("new_initial_m3", ""),
                new_legalised_on=pb_date(form.get("new_legalised_on", ""), "new_legalised_on"),
            ),
        )
    except DomainError as exc:
        return await _premises_page(premises_id, request, clerk, exc, form, f"replace-{meter_id}")
    _flash(request, "Wymiana wodomierza zapisana.")
    return RedirectResponse(f"/woda/punkty/{premises_id}", status_code=303)


@router.post("/woda/punkty/{premises_id}/odczyt", dependencies=[Depends(verify_csrf)])
async def clerk_reading(premises_id: str, request: Request, clerk: Clerk) -> Response:
    """A reading entered by the office (e.g. from a meter reader's card): accepted at once."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        p = (
            await water(
                request, clerk, "GetPremises", water_pb2.GetPremisesRequest(premises_id=premises_id)
            )
        ).premises
        got = await water(
            request,
            clerk,
            "SubmitReading",
            water_pb2.SubmitReadingRequest(
                premises_id=premises_id,
                reading_date=pb_date(form.get("reading_date", ""), "reading_date", required=True),
                idempotency_token=form.get("idempotency_token", ""),
                confirm_warnings=form.get("confirm_warnings") == "1",
                values=[
                    water_pb2.ReadingValueInput(
                        meter_id=m.meter_id,
                        value_m3=form.get(f"value_{m.meter_id}", ""),
                        rollover=form.get(f"rollover_{m.meter_id}") == "1",
                    )
                    for m in p.meters
                    if m.active
                ],
            ),
        )
    except DomainError as exc:
        return await _premises_page(premises_id, request, clerk, exc, form, "reading")
    if got.needs_confirmation:
        warning = DomainError(
            " ".join(w.message for w in got.warnings)
            + " Zaznacz potwierdzenie, jeśli stan jest prawidłowy.",
            field="confirm_warnings",
        )
        return await _premises_page(premises_id, request, clerk, warning, form, "reading")
    _flash(
        request,
        f"Odczyt zapisany i przyjęty; faktura {got.reading.preview.gross_grosze / 100:.2f} zł".replace(
            ".", ","
        )
        + " wysłana do księgowania.",
    )
    return RedirectResponse(f"/woda/punkty/{premises_id}", status_code=303)


@router.get("/woda/wodomierze", response_class=HTMLResponse)
async def meters(request: Request, clerk: Clerk) -> Response:
    """Meters, by default those whose legalisation has expired or expires soon."""
    due = request.query_params.get("wszystkie") != "1"
    query = request.query_params.get("szukaj", "")
    found = (
        await water(
            request,
            clerk,
            "ListMeters",
            water_pb2.ListMetersRequest(legalisation_due_only=due, query=query, limit=500),
        )
    ).meters
    return render(request, "water/meters.html", {"meters": found, "due": due, "query": query})
