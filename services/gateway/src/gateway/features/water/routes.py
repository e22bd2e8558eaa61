"""Routes of the Woda section: overview, reading history, charts and the section's assets."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from gateway.auth import CurrentUser, require_verified
from gateway.features.water import charts, client, views
from gateway.features.water.reading_routes import render
from gateway.features.water.reading_routes import router as reading_router
from gateway.web.i18n import N_, _
from portal.water.v1 import water_pb2
from portal_platform.errors import NotFound

router = APIRouter()
router.include_router(reading_router)
Resident = Annotated[CurrentUser, Depends(require_verified)]
ASSETS = Path(__file__).parent / "assets"
MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@router.get("/woda/zasoby/{name}", include_in_schema=False)
async def asset(name: str) -> Response:
    """The section's own script (live preview) and styles; CSP allows only same-origin files."""
    path = ASSETS / name
    if path.suffix not in MEDIA or not path.is_file() or path.parent != ASSETS:
        return Response(status_code=404)
    return Response(
        path.read_bytes(),
        media_type=MEDIA[path.suffix],
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/woda", response_class=HTMLResponse)
async def section(request: Request, user: Resident) -> Response:
    """Premises and meters, pending readings and the invoices of each kartoteka."""
    deadlines = await client.water(
        request, user, "ListReadingDeadlines", water_pb2.ListReadingDeadlinesRequest()
    )
    payers = []
    for payer_id in user.payers:
        premises = (
            await client.water(
                request, user, "ListPremises", water_pb2.ListPremisesRequest(payer_id=payer_id)
            )
        ).premises
        settlements = (
            await client.water(
                request,
                user,
                "ListSettlements",
                water_pb2.ListSettlementsRequest(payer_id=payer_id),
            )
        ).settlements
        readings = (
            await client.water(
                request,
                user,
                "ListReadings",
                water_pb2.ListReadingsRequest(payer_id=payer_id, limit=20),
            )
        ).readings
        booked = await client.booked_keys(request, user, payer_id) if settlements else set()
        groups = {p.group for p in premises}
        payers.append(
            {
                "payer_id": payer_id,
                "premises": premises,
                "settlements": settlements,
                "booked": booked,
                "pending": [r for r in readings if r.status == "pending"],
                "deadlines": [d for d in deadlines.deadlines if d.group in groups],
            }
        )
    return render(request, "water/section.html", {"payers": payers})


async def _premises(request: Request, user: CurrentUser, premises_id: str) -> Any:
    return (
        await client.water(
            request, user, "GetPremises", water_pb2.GetPremisesRequest(premises_id=premises_id)
        )
    ).premises


def _not_found(request: Request, exc: NotFound) -> Response:
    return render(request, "water/not_found.html", {"message": exc.message}, status=404)


@router.get("/woda/historia", response_class=HTMLResponse)
async def history(request: Request, user: Resident) -> Response:
    """Readings of a premises, or of one meter, newest first, with their status (R7)."""
    premises_id = request.query_params.get("punkt", "")
    meter_id = request.query_params.get("wodomierz", "")
    try:
        premises = await _premises(request, user, premises_id)
    except NotFound as exc:
        return _not_found(request, exc)
    meter = next((m for m in premises.meters if m.meter_id == meter_id), None)
    if meter_id and meter is None:
        return _not_found(request, NotFound(N_("Nie znaleziono wodomierza.")))
    readings = (
        await client.water(
            request,
            user,
            "ListReadings",
            water_pb2.ListReadingsRequest(premises_id=premises_id, meter_id=meter_id),
        )
    ).readings
    return render(
        request, "water/history.html", {"premises": premises, "meter": meter, "readings": readings}
    )


@router.get("/woda/wykresy", response_class=HTMLResponse)
async def chart_page(request: Request, user: Resident) -> Response:
    """Consumption and fees per invoiced period (R13): SVG charts with the data in tables."""
    premises_id = request.query_params.get("punkt", "")
    try:
        premises = await _premises(request, user, premises_id)
    except NotFound as exc:
        return _not_found(request, exc)
    points = (
        await client.water(
            request, user, "GetCharts", water_pb2.GetChartsRequest(premises_id=premises_id)
        )
    ).points
    used = [
        charts.Bar(p.label, Decimal(p.water_m3 or "0"), f"{views.qty(p.water_m3)} m³", p.estimated)
        for p in points
    ]
    fees = [
        charts.Bar(p.label, Decimal(p.gross_grosze) / 100, views.zl(p.gross_grosze), p.estimated)
        for p in points
    ]
    consumption_svg = charts.bar_chart(
        "zuzycie",
        _("Zużycie wody w okresach rozliczeniowych"),
        _(
            "Wykres słupkowy: zużycie wody w m³ w %(count)s okresach; dane w tabeli obok.",
            count=len(points),
        ),
        used,
        "m³",
    )
    fees_svg = charts.bar_chart(
        "oplaty",
        _("Opłaty za wodę i ścieki w okresach rozliczeniowych"),
        _(
            "Wykres słupkowy: kwota brutto w zł w %(count)s okresach; dane w tabeli obok.",
            count=len(points),
        ),
        fees,
        _("zł"),
    )
    return render(
        request,
        "water/charts.html",
        {
            "premises": premises,
            "points": points,
            "consumption_svg": consumption_svg,
            "fees_svg": fees_svg,
        },
    )
