"""Admin Podatki: home, rates and maxima of a year, filings to confirm or reject."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.features.property_tax import taxpayers
from admin.features.property_tax.common import (
    Clerk,
    grosze,
    pb_date,
    render,
    tax,
    today,
    year_of,
)
from portal.property_tax.v1 import property_tax_pb2 as pb
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError

router = APIRouter()
router.include_router(taxpayers.router)
CSRF = [Depends(verify_csrf)]


@router.get("/podatki", response_class=HTMLResponse)
async def home(request: Request, clerk: Clerk) -> Response:
    """The Podatki menu of the back office, with the number of filings to check."""
    drafts = await tax(
        request, clerk, "ListFilings", pb.ListFilingsRequest(status="draft", limit=500)
    )
    return render(
        request, "home.html",
        {"drafts": len(drafts.filings), "year": today().year + 1, "run": None, "error": None},
    )  # fmt: skip


@router.post("/podatki/wymiar", response_class=HTMLResponse, dependencies=CSRF)
async def year_run(request: Request, clerk: Clerk) -> Response:
    """Issue the year's decisions for every natural person who has none yet."""
    form = await request.form()
    year = year_of(str(form.get("year", "")), today().year + 1)
    drafts = await tax(
        request, clerk, "ListFilings", pb.ListFilingsRequest(status="draft", limit=500)
    )
    ctx: dict[str, Any] = {"drafts": len(drafts.filings), "year": year, "run": None, "error": None}
    try:
        issued_on = pb_date(str(form.get("issued_on", "")), "issued_on")
        ctx["run"] = await tax(
            request, clerk, "IssueYearDecisions",
            pb.IssueYearDecisionsRequest(year=year, issued_on=issued_on), timeout=1800,
        )  # fmt: skip
    except DomainError as exc:
        ctx["error"] = exc
        return render(request, "home.html", ctx, status=422)
    return render(request, "home.html", ctx)


async def _rates_page(
    request: Request, clerk: Clerk, year: int, values: dict[str, str], error: Any = None,
    saved: str = "", status: int = 200,
) -> Response:  # fmt: skip
    rates = await tax(request, clerk, "ListRates", pb.ListRatesRequest(year=year))
    return render(
        request, "rates.html",
        {"year": year, "rates": rates.rates, "maxima_known": rates.maxima_known,
         "values": values, "error": error, "saved": saved},
        status=status,
    )  # fmt: skip


@router.get("/podatki/stawki", response_class=HTMLResponse)
async def rates(request: Request, clerk: Clerk) -> Response:
    """Rates of a year beside the statutory maxima; forms to set a rate or a maximum."""
    year = year_of(request.query_params.get("rok"), today().year + 1)
    values = {
        "category": "building_residential",
        "rate": "",
        "resolution": "",
        "max": "",
        "source": "",
    }
    return await _rates_page(request, clerk, year, values)


def _by_value(category: str) -> bool:
    return category == "structure"


@router.post("/podatki/stawki", response_class=HTMLResponse, dependencies=CSRF)
async def set_rate(request: Request, clerk: Clerk) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("year", "category", "rate", "resolution")}
    values.update(max="", source="")
    year = year_of(values["year"], today().year + 1)
    try:
        value = values["category"]
        rate = pb.Rate(year=year, category=value, resolution=values["resolution"])
        if _by_value(value):
            rate.rate_percent = values["rate"]
        else:
            rate.rate_grosze = grosze(values["rate"], "rate_grosze")
        await tax(request, clerk, "SetRate", pb.SetRateRequest(rate=rate))
    except DomainError as exc:
        if exc.field == "rate_percent":
            exc.field = "rate_grosze"
        return await _rates_page(request, clerk, year, values, exc, status=422)
    return await _rates_page(request, clerk, year, values, saved="Zapisano stawkę.")


@router.post("/podatki/maksima", response_class=HTMLResponse, dependencies=CSRF)
async def set_maximum(request: Request, clerk: Clerk) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("year", "category", "max", "source")}
    values.update(rate="", resolution="")
    year = year_of(values["year"], today().year + 1)
    try:
        req = pb.SetMaximumRequest(year=year, category=values["category"], source=values["source"])
        if _by_value(values["category"]):
            req.max_percent = values["max"]
        else:
            req.max_grosze = grosze(values["max"], "max_grosze")
        await tax(request, clerk, "SetMaximum", req)
    except DomainError as exc:
        if exc.field in ("max_percent", "category"):
            exc.field = "max_grosze" if exc.field == "max_percent" else "max_category"
        return await _rates_page(request, clerk, year, values, exc, status=422)
    return await _rates_page(request, clerk, year, values, saved="Zapisano stawkę maksymalną.")


@router.get("/podatki/zgloszenia", response_class=HTMLResponse)
async def filings(request: Request, clerk: Clerk) -> Response:
    """Information and declarations by state (drafts first: residents' filings to check)."""
    status = request.query_params.get("stan", "draft")
    found = await tax(
        request, clerk, "ListFilings", pb.ListFilingsRequest(status=status, limit=500)
    )
    rates = await tax(request, clerk, "ListRates", pb.ListRatesRequest(year=today().year))
    return render(
        request, "filings.html",
        {"filings": found.filings, "status": status, "labels": {r.category: r.label for r in rates.rates},
         "message": request.query_params.get("komunikat", ""), "error": None},
    )  # fmt: skip


@router.post("/podatki/zgloszenia/{filing_id}/{action}", dependencies=CSRF)
async def decide(filing_id: str, action: str, request: Request, clerk: Clerk) -> Response:
    """Confirm (a DN-1 is then self-assessed) or reject with a reason."""
    form = await request.form()
    try:
        if action == "potwierdz":
            resp = await tax(
                request, clerk, "ConfirmFiling", pb.ConfirmFilingRequest(filing_id=filing_id)
            )
            message = "Zgłoszenie przyjęte."
            if resp.HasField("assessment"):
                message += f" Deklaracja {resp.assessment.number}: raty przekazane do rozliczeń."
        elif action == "odrzuc":
            await tax(request, clerk, "RejectFiling",
                      pb.RejectFilingRequest(filing_id=filing_id, reason=str(form.get("reason", ""))))  # fmt: skip
            message = "Zgłoszenie odrzucone."
        else:
            return render(request, "brak.html", {"message": "Nieznana czynność."}, status=404)
    except DomainError as exc:
        found = await tax(
            request, clerk, "ListFilings", pb.ListFilingsRequest(status="draft", limit=500)
        )
        return render(
            request, "filings.html",
            {"filings": found.filings, "status": "draft", "labels": {}, "message": "", "error": exc},
            status=422 if exc.field else 409,
        )  # fmt: skip
    return RedirectResponse(f"/podatki/zgloszenia?komunikat={quote(message)}", status_code=303)
