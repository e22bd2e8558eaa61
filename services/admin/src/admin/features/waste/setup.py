"""Rates and caps, the schedule, the annual assessment and properties without a declaration."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from admin.features.waste.common import METHOD_LABELS, Clerk, grosze, render, waste, year_of
from portal.waste.v1 import waste_pb2
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError, InvalidArgument

router = APIRouter()
CSRF = [Depends(verify_csrf)]


async def _rates_page(
    request: Request, clerk: Clerk, year: int, values: dict[str, str], error: Any,
    saved: Any = None, status: int = 200,
) -> Response:  # fmt: skip
    rates = await waste(request, clerk, "ListRates", waste_pb2.ListRatesRequest(year=year))
    caps = await waste(request, clerk, "ListCaps", waste_pb2.ListCapsRequest())
    return render(
        request, "waste/rates.html",
        {"year": year, "rates": rates.rates, "caps": caps.caps, "values": values,
         "error": error, "saved": saved, "methods": METHOD_LABELS},
        status=status,
    )  # fmt: skip


@router.get("/odpady/stawki", response_class=HTMLResponse)
async def rates(request: Request, clerk: Clerk) -> Response:
    """Rates of a year and the statutory caps; form to set a rate."""
    year = year_of(request.query_params.get("rok"), date.today().year + 1)
    values = {"method": "per_resident", "valid_from_month": "1", "rate": "",
              "compost": "", "multiplier": "2"}  # fmt: skip
    return await _rates_page(request, clerk, year, values, None)


@router.post("/odpady/stawki", response_class=HTMLResponse, dependencies=CSRF)
async def set_rate(request: Request, clerk: Clerk) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")).strip()
              for k in ("year", "method", "valid_from_month", "rate", "compost", "multiplier")}  # fmt: skip
    year = year_of(values["year"], date.today().year + 1)
    try:
        try:
            month = int(values["valid_from_month"] or 1)
        except ValueError:
            raise InvalidArgument("Podaj numer miesiąca 1–12.", field="valid_from_month") from None
        rate = waste_pb2.Rate(
            year=year,
            method=values["method"],
            valid_from_month=month,
            rate_grosze=grosze(values["rate"], "rate_grosze"),
            compost_discount_grosze=grosze(values["compost"], "compost_discount_grosze"),
            non_sorting_multiplier=values["multiplier"],
        )
        resp = await waste(request, clerk, "SetRate", waste_pb2.SetRateRequest(rate=rate))
    except DomainError as exc:
        return await _rates_page(request, clerk, year, values, exc, status=422)
    return await _rates_page(request, clerk, year, values, None, saved=resp)


async def _schedule_page(
    request: Request, clerk: Clerk, year: int, error: Any, saved: bool = False, status: int = 200
) -> Response:
    got = await waste(request, clerk, "GetSchedule", waste_pb2.GetScheduleRequest(year=year))
    return render(
        request, "waste/schedule.html",
        {"year": year, "schedule": got.schedule, "due_dates": list(got.due_dates),
         "cottage_due": got.cottage_due_date, "error": error, "saved": saved},
        status=status,
    )  # fmt: skip


@router.get("/odpady/harmonogram", response_class=HTMLResponse)
async def schedule(request: Request, clerk: Clerk) -> Response:
    """The schedule of a year (dates set by the council, and as moved to working days)."""
    year = year_of(request.query_params.get("rok"), date.today().year + 1)
    return await _schedule_page(request, clerk, year, None)


@router.post("/odpady/harmonogram", response_class=HTMLResponse, dependencies=CSRF)
async def set_schedule(request: Request, clerk: Clerk) -> Response:
    form = await request.form()
    year = year_of(str(form.get("year", "")), date.today().year + 1)
    try:
        entries = []
        for n in range(1, 5):
            if not str(form.get(f"day_{n}", "")).strip():
                continue
            values = [str(form.get(f"{k}_{n}", "")).strip() for k in ("day", "month", "from", "to")]
            try:
                day, month, m_from, m_to = (int(v) for v in values)
            except ValueError:
                raise InvalidArgument(f"Rata {n}: podaj liczby.", field=f"day_{n}") from None
            entries.append(
                waste_pb2.ScheduleEntry(number=n, month=month, day=day,
                                        months_from=m_from, months_to=m_to)
            )  # fmt: skip
        try:
            c_day, c_month = int(str(form.get("cottage_day"))), int(str(form.get("cottage_month")))
        except ValueError:
            raise InvalidArgument("Podaj termin ryczałtu.", field="cottage_day") from None
        await waste(
            request, clerk, "SetSchedule",
            waste_pb2.SetScheduleRequest(schedule=waste_pb2.Schedule(
                year=year, entries=entries, cottage_month=c_month, cottage_day=c_day)),
        )  # fmt: skip
    except DomainError as exc:
        return await _schedule_page(request, clerk, year, exc, status=422)
    return await _schedule_page(request, clerk, year, None, saved=True)


@router.get("/odpady/wymiar", response_class=HTMLResponse)
async def assessment(request: Request, clerk: Clerk) -> Response:
    """Preview of the annual assessment: how many payers, installments, the total."""
    year = year_of(request.query_params.get("rok"), date.today().year + 1)
    try:
        preview = await waste(
            request, clerk, "PreviewAssessment", waste_pb2.PreviewAssessmentRequest(year=year)
        )
    except DomainError as exc:
        return render(request, "waste/assessment.html",
                      {"year": year, "preview": None, "result": None, "error": exc}, status=422)  # fmt: skip
    return render(
        request, "waste/assessment.html",
        {"year": year, "preview": preview, "result": None, "error": None},
    )  # fmt: skip


@router.post("/odpady/wymiar", response_class=HTMLResponse, dependencies=CSRF)
async def run_assessment(request: Request, clerk: Clerk) -> Response:
    """Run the assessment: one charge per installment to billing; a repeat books nothing."""
    form = await request.form()
    year = year_of(str(form.get("year", "")), date.today().year + 1)
    try:
        result = await waste(
            request, clerk, "RunAssessment", waste_pb2.RunAssessmentRequest(year=year)
        )
    except DomainError as exc:
        return render(request, "waste/assessment.html",
                      {"year": year, "preview": None, "result": None, "error": exc}, status=422)  # fmt: skip
    return render(
        request, "waste/assessment.html",
        {"year": year, "preview": None, "result": result, "error": None},
    )  # fmt: skip


@router.get("/odpady/bez-deklaracji", response_class=HTMLResponse)
async def without_declaration(request: Request, clerk: Clerk) -> Response:
    """Properties with no confirmed declaration: the office asks their owners for one."""
    found = await waste(
        request, clerk, "ListPropertiesWithoutDeclaration",
        waste_pb2.ListPropertiesWithoutDeclarationRequest(limit=500),
    )  # fmt: skip
    return render(request, "waste/without.html", {"properties": found.properties})
