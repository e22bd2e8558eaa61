"""Admin: tariff prices with validity dates, and reading campaigns (compliance, estimates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.features.water.common import COMPONENT_UNITS, Clerk, pb_date, render, water
from admin.features.water.readings import _flash, _take_flash
from portal.water.v1 import water_pb2
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError

router = APIRouter()
COMPONENTS = {
    "water": "Woda",
    "sewage": "Ścieki",
    "abonament_water": "Abonament wodny",
    "abonament_sewage": "Abonament kanalizacyjny",
    "abonament_garden": "Abonament za podlicznik ogrodowy",
}


@router.get("/woda/taryfy", response_class=HTMLResponse)
async def tariffs(request: Request, clerk: Clerk) -> Response:
    """Dated net prices per group and component; a new price may be announced in advance."""
    return await _tariffs(request, clerk)


async def _tariffs(
    request: Request,
    clerk: Clerk,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    group = request.query_params.get("grupa", "") or (form or {}).get("group", "")
    groups = (
        await water(request, clerk, "ListCustomerGroups", water_pb2.ListCustomerGroupsRequest())
    ).groups
    prices = (
        await water(
            request, clerk, "ListTariffPrices", water_pb2.ListTariffPricesRequest(group=group)
        )
    ).prices
    return render(
        request,
        "water/tariffs.html",
        {
            "prices": prices,
            "groups": groups,
            "group": group,
            "components": COMPONENTS,
            "units": COMPONENT_UNITS,
            "error": error,
            "form": form or {"group": group},
            "flash": _take_flash(request),
        },
        status=422 if error else 200,
    )


@router.post("/woda/taryfy", dependencies=[Depends(verify_csrf)])
async def tariff_add(request: Request, clerk: Clerk) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        got = await water(
            request,
            clerk,
            "AddTariffPrice",
            water_pb2.AddTariffPriceRequest(
                group=form.get("group", ""),
                component=form.get("component", ""),
                unit=form.get("unit", ""),
                net_price=form.get("net_price", ""),
                valid_from=pb_date(form.get("valid_from", ""), "valid_from", required=True),
                valid_to=pb_date(form.get("valid_to", ""), "valid_to"),
            ),
        )
    except DomainError as exc:
        return await _tariffs(request, clerk, exc, form)
    note = ""
    if got.closed.price_id:
        c = got.closed.valid_to
        note = f" Poprzednia cena obowiązuje do {c.day:02d}.{c.month:02d}.{c.year}."
    _flash(request, "Cena zapisana." + note)
    return RedirectResponse(f"/woda/taryfy?grupa={got.price.group}", status_code=303)


def _deadline_choices(groups: Any) -> list[tuple[str, str, str]]:
    return [
        (
            g.code,
            f"{d.deadline.year:04d}-{d.deadline.month:02d}-{d.deadline.day:02d}",
            f"{g.label}: {d.label.lower()} {d.deadline.year}",
        )
        for g in groups
        for d in g.deadlines
    ]


@router.get("/woda/kampanie", response_class=HTMLResponse)
async def campaign(request: Request, clerk: Clerk) -> Response:
    """Who has given a reading for a deadline; estimated readings for the rest."""
    q = request.query_params
    year = datetime.now(ZoneInfo("Europe/Warsaw")).year
    choices = []
    for y in (year, year - 1):
        groups = (
            await water(
                request, clerk, "ListCustomerGroups", water_pb2.ListCustomerGroupsRequest(year=y)
            )
        ).groups
        choices += _deadline_choices(groups)
    group, deadline = q.get("grupa", ""), q.get("termin", "")
    if "|" in q.get("wybor", ""):
        group, deadline = q["wybor"].split("|", 1)
    status, error = None, None
    if group and deadline:
        try:
            status = await water(
                request,
                clerk,
                "ListCampaignStatus",
                water_pb2.ListCampaignStatusRequest(
                    group=group,
                    deadline=pb_date(deadline, "termin"),
                    missing_only=q.get("brakujace") == "1",
                ),
            )
        except DomainError as exc:
            error = exc
    return render(
        request,
        "water/campaign.html",
        {
            "choices": choices,
            "group": group,
            "deadline": deadline,
            "status": status,
            "missing_only": q.get("brakujace") == "1",
            "error": error,
            "flash": _take_flash(request),
        },
        status=422 if error else 200,
    )


@router.post("/woda/kampanie/szacuj", dependencies=[Depends(verify_csrf)])
async def estimate(request: Request, clerk: Clerk) -> Response:
    """Estimated readings and invoices for every payer of the campaign who gave none."""
    form = await request.form()
    group, deadline = str(form.get("group", "")), str(form.get("deadline", ""))
    back = f"/woda/kampanie?grupa={group}&termin={deadline}"
    try:
        got = await water(
            request,
            clerk,
            "EstimateMissingReadings",
            water_pb2.EstimateMissingReadingsRequest(
                group=group, deadline=pb_date(deadline, "termin", required=True)
            ),
        )
    except DomainError as exc:
        _flash(request, exc.message)
        return RedirectResponse(back, status_code=303)
    _flash(
        request,
        f"Wystawiono odczytów szacunkowych: {got.estimated}.",
        [f"{s.reading_id}: {s.message}" for s in got.skipped],
    )
    return RedirectResponse(back, status_code=303)
