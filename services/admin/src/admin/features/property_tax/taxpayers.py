"""Admin Podatki: taxpayers, entering a paper IN-1/DN-1, previewing and issuing decisions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.features.property_tax.common import (
    Clerk,
    field_id,
    parse_rows,
    pb_date,
    render,
    rows_from,
    tax,
    today,
    year_of,
)
from portal.property_tax.v1 import property_tax_pb2 as pb
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError, InvalidArgument, NotFound

router = APIRouter()
CSRF = [Depends(verify_csrf)]
MAX_ROWS = 100


@router.get("/podatki/podatnicy", response_class=HTMLResponse)
async def search(request: Request, clerk: Clerk) -> Response:
    query = request.query_params.get("q", "")
    found = await tax(
        request, clerk, "SearchTaxpayers", pb.SearchTaxpayersRequest(query=query, limit=100)
    )
    return render(
        request,
        "taxpayers.html",
        {"q": query, "taxpayers": found.taxpayers, "values": {}, "error": None},
    )


@router.post("/podatki/podatnicy", response_class=HTMLResponse, dependencies=CSRF)
async def register(request: Request, clerk: Clerk) -> Response:
    form = await request.form()
    values = {
        k: str(form.get(k, "")).strip()
        for k in ("payer_id", "kind", "name", "address", "identifier")
    }
    try:
        await tax(
            request,
            clerk,
            "RegisterTaxpayer",
            pb.RegisterTaxpayerRequest(taxpayer=pb.Taxpayer(**values)),
        )
    except DomainError as exc:
        return render(
            request,
            "taxpayers.html",
            {"q": "", "taxpayers": [], "values": values, "error": exc},
            422,
        )
    return RedirectResponse(f"/podatki/podatnicy/{quote(values['payer_id'])}", status_code=303)


async def _page(
    request: Request, clerk: Clerk, payer_id: str, *, year: int, issued_on: str = "",
    error: Any = None, status: int = 200,
) -> Response:  # fmt: skip
    taxpayer = (
        await tax(request, clerk, "GetTaxpayer", pb.GetTaxpayerRequest(payer_id=payer_id))
    ).taxpayer
    objects = await tax(request, clerk, "ListObjects", pb.ListObjectsRequest(payer_id=payer_id))
    filings = await tax(request, clerk, "ListFilings", pb.ListFilingsRequest(payer_id=payer_id))
    assessments = await tax(
        request, clerk, "ListAssessments", pb.ListAssessmentsRequest(payer_id=payer_id)
    )
    rates = await tax(request, clerk, "ListRates", pb.ListRatesRequest(year=year))
    preview, problem = None, None
    try:
        preview = await tax(
            request, clerk, "PreviewAssessment",
            pb.PreviewAssessmentRequest(payer_id=payer_id, year=year,
                                        issued_on=pb_date(issued_on, "issued_on")),
        )  # fmt: skip
    except DomainError as exc:
        problem = exc
    return render(
        request, "taxpayer.html",
        {"t": taxpayer, "objects": objects, "filings": filings.filings,
         "assessments": assessments.assessments, "labels": {r.category: r.label for r in rates.rates},
         "year": year, "issued_on": issued_on or today().isoformat(), "preview": preview,
         "problem": problem, "error": error, "message": request.query_params.get("komunikat", "")},
        status=status,
    )  # fmt: skip


@router.get("/podatki/podatnicy/{payer_id}", response_class=HTMLResponse)
async def taxpayer(payer_id: str, request: Request, clerk: Clerk) -> Response:
    """The taxpayer's objects, filings, decisions, and the preview of the next decision."""
    year = year_of(request.query_params.get("rok"), today().year)
    try:
        return await _page(
            request, clerk, payer_id, year=year, issued_on=request.query_params.get("data", "")
        )
    except DomainError as exc:
        return render(request, "brak.html", {"message": exc.message}, status=404)


@router.post(
    "/podatki/podatnicy/{payer_id}/decyzja", response_class=HTMLResponse, dependencies=CSRF
)
async def issue(payer_id: str, request: Request, clerk: Clerk) -> Response:
    """Issue the decision (yearly, or a change during the year) for the payer."""
    form = await request.form()
    year = year_of(str(form.get("year", "")), today().year)
    issued_on = str(form.get("issued_on", "")).strip()
    try:
        a = await tax(
            request, clerk, "IssueDecision",
            pb.IssueDecisionRequest(payer_id=payer_id, year=year, issued_on=pb_date(issued_on, "issued_on")),
        )  # fmt: skip
    except NotFound as exc:
        return render(request, "brak.html", {"message": exc.message}, status=404)
    except DomainError as exc:
        return await _page(
            request, clerk, payer_id, year=year, issued_on=issued_on, error=exc, status=422
        )
    message = f"Wydano decyzję {a.number}: podatek {a.year} — {a.tax_grosze // 100} zł."
    return RedirectResponse(
        f"/podatki/podatnicy/{quote(payer_id)}?rok={year}&komunikat={quote(message)}",
        status_code=303,
    )


async def _entry(
    request: Request, clerk: Clerk, payer_id: str, *, rows: list[dict[str, str]] | None = None,
    values: dict[str, str] | None = None, error: Any = None, error_id: str = "", status: int = 200,
) -> Response:  # fmt: skip
    taxpayer = (
        await tax(request, clerk, "GetTaxpayer", pb.GetTaxpayerRequest(payer_id=payer_id))
    ).taxpayer
    if rows is None:
        objects = await tax(request, clerk, "ListObjects", pb.ListObjectsRequest(payer_id=payer_id))
        rows = rows_from(objects.objects)
    rates = await tax(request, clerk, "ListRates", pb.ListRatesRequest(year=today().year))
    values = values or {"event_date": "", "filed_on": today().isoformat(), "year": str(today().year),
                        "declared_tax": ""}  # fmt: skip
    return render(
        request, "entry.html",
        {"t": taxpayer, "rows": rows, "values": values, "categories": rates.rates,
         "error": error, "error_id": error_id},
        status=status,
    )  # fmt: skip


@router.get("/podatki/podatnicy/{payer_id}/informacja", response_class=HTMLResponse)
async def entry(payer_id: str, request: Request, clerk: Clerk) -> Response:
    """A paper IN-1 / DN-1 entered by the clerk (in force at once)."""
    try:
        return await _entry(request, clerk, payer_id)
    except DomainError as exc:
        return render(request, "brak.html", {"message": exc.message}, status=404)


@router.post(
    "/podatki/podatnicy/{payer_id}/informacja", response_class=HTMLResponse, dependencies=CSRF
)
async def entry_submit(payer_id: str, request: Request, clerk: Clerk) -> Response:
    form = await request.form()
    try:
        count = min(int(str(form.get("rows", "0"))), MAX_ROWS)
    except ValueError:
        count = 0
    rows, sent_from, objects = parse_rows(form, count)
    values = {
        k: str(form.get(k, "")).strip() for k in ("event_date", "filed_on", "year", "declared_tax")
    }
    try:
        req = pb.FileInformationRequest(
            payer_id=payer_id, event_date=pb_date(values["event_date"], "event_date", required=True),
            filed_on=pb_date(values["filed_on"], "filed_on"), objects=objects,
        )  # fmt: skip
        if str(form.get("form", "")) == "DN-1":
            req.form, req.year = "DN-1", year_of(values["year"], today().year)
            if values["declared_tax"]:
                try:
                    req.declared_tax_grosze = int(values["declared_tax"].replace(" ", "")) * 100
                except ValueError:
                    raise InvalidArgument(
                        "Podaj kwotę w pełnych złotych.", field="declared_tax"
                    ) from None
        await tax(request, clerk, "FileInformation", req)
    except DomainError as exc:
        try:
            return await _entry(request, clerk, payer_id, rows=rows, values=values, error=exc,
                                error_id=field_id(exc.field, sent_from), status=422)  # fmt: skip
        except DomainError as missing:
            return render(request, "brak.html", {"message": missing.message}, status=404)
    message = "Zapisano informację; obowiązuje od pierwszego dnia następnego miesiąca po zdarzeniu."
    return RedirectResponse(
        f"/podatki/podatnicy/{quote(payer_id)}?komunikat={quote(message)}", status_code=303
    )


@router.get("/podatki/decyzje/{assessment_id}/pobierz")
async def decision_file(assessment_id: str, request: Request, clerk: Clerk) -> Response:
    try:
        f = await tax(
            request,
            clerk,
            "GetDecisionFile",
            pb.GetDecisionFileRequest(assessment_id=assessment_id),
        )
    except DomainError as exc:
        return render(request, "brak.html", {"message": exc.message}, status=404)
    return Response(
        f.content, media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(f.filename)}",
                 "Cache-Control": "private, no-store"},
    )  # fmt: skip
