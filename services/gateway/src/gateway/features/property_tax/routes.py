"""Routes of "Podatki" (resident UI): objects, filings, decisions; filing IN-1 / DN-1 drafts."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.auth import CurrentUser, require_verified
from gateway.clients import service_channel
from gateway.features.property_tax import views
from gateway.web.dates import today
from gateway.web.i18n import N_
from portal.common.v1 import common_pb2
from portal.property_tax.v1 import property_tax_pb2 as pb
from portal.property_tax.v1 import property_tax_pb2_grpc
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError, InvalidArgument, NotFound
from portal_platform.rpc.client import call

router = APIRouter()
Resident = Annotated[CurrentUser, Depends(require_verified)]
MAX_ROWS = 60


def stub(request: Request) -> Any:
    return property_tax_pb2_grpc.PropertyTaxServiceStub(service_channel(request, "property_tax"))


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    ctx.setdefault("v", views)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, f"property_tax/{name}", ctx, status_code=status
    )


async def categories(request: Request, user: CurrentUser) -> list[Any]:
    """Categories with their Polish labels and units (from the service's rate table)."""
    resp = await call(
        stub(request).ListRates, pb.ListRatesRequest(year=today().year), token=user.access_token
    )
    return list(resp.rates)


async def taxpayer_of(request: Request, user: CurrentUser, payer_id: str) -> Any | None:
    try:
        resp = await call(
            stub(request).GetTaxpayer,
            pb.GetTaxpayerRequest(payer_id=payer_id),
            token=user.access_token,
        )
    except NotFound:
        return None
    return resp.taxpayer


@router.get("/podatki", response_class=HTMLResponse)
async def section(request: Request, user: Resident) -> Response:
    """Per payer: the taxpayer, objects in force, filings and decisions with installments."""
    s, t = stub(request), user.access_token
    cats = await categories(request, user)
    payers = []
    for payer_id in user.payers:
        taxpayer = await taxpayer_of(request, user, payer_id)
        objects = filings = assessments = None
        if taxpayer is not None:
            objects = await call(s.ListObjects, pb.ListObjectsRequest(payer_id=payer_id), token=t)
            filings = await call(s.ListFilings, pb.ListFilingsRequest(payer_id=payer_id), token=t)
            assessments = await call(
                s.ListAssessments, pb.ListAssessmentsRequest(payer_id=payer_id), token=t
            )
        payers.append(
            {
                "payer_id": payer_id,
                "taxpayer": taxpayer,
                "objects": list(objects.objects) if objects else [],
                "effective_from": objects.effective_from if objects else None,
                "filings": list(filings.filings) if filings else [],
                "assessments": list(assessments.assessments) if assessments else [],
            }
        )
    return render(
        request,
        "section.html",
        {
            "payers": payers,
            "labels": {c.category: c.label for c in cats},
            "units": {c.category: c.unit for c in cats},
            "filed": request.query_params.get("zlozono") == "1",
        },
    )


async def form_context(request: Request, user: CurrentUser, payer_id: str) -> dict[str, Any]:
    if payer_id not in user.payers:
        raise NotFound(N_("Nie znaleziono kartoteki."), field="payer_id")
    taxpayer = await taxpayer_of(request, user, payer_id)
    current: list[Any] = []
    if taxpayer is not None:
        objects = await call(
            stub(request).ListObjects,
            pb.ListObjectsRequest(payer_id=payer_id),
            token=user.access_token,
        )
        current = list(objects.objects)
    return {
        "payer_id": payer_id,
        "taxpayer": taxpayer,
        "categories": await categories(request, user),
        "rows": views.rows_from_objects(current),
        "values": {
            "event_date": today().isoformat(),
            "kind": "person",
            "name": user.name,
            "address": "",
            "identifier": "",
            "year": str(today().year),
            "declared_tax": "",
        },
        "error": None,
        "error_id": "",
    }


@router.get("/podatki/informacja", response_class=HTMLResponse)
async def form(request: Request, user: Resident) -> Response:
    """The IN-1 (DN-1 for a company) form, prefilled with the objects in force."""
    try:
        ctx = await form_context(request, user, request.query_params.get("platnik", ""))
    except NotFound as exc:
        return render(request, "brak.html", {"message": exc.message}, status=404)
    return render(request, "form.html", ctx)


@router.post(
    "/podatki/informacja", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)]
)
async def submit(request: Request, user: Resident) -> Response:
    """File the information as a draft; the office checks it and issues the decision."""
    data = await request.form()
    payer_id = str(data.get("payer_id", ""))
    try:
        ctx = await form_context(request, user, payer_id)
    except NotFound as exc:
        return render(request, "brak.html", {"message": exc.message}, status=404)
    try:
        count = min(int(str(data.get("rows", "0"))), MAX_ROWS)
    except ValueError:
        count = 0
    parsed, objects = views.parse_rows(data, count)
    values = {k: str(data.get(k, "")).strip() for k in ctx["values"]}
    ctx.update(rows=parsed.rows, values=values)
    taxpayer = ctx["taxpayer"]
    kind = taxpayer.kind if taxpayer is not None else values["kind"]
    try:
        req = build_request(payer_id, kind, values, objects, new_taxpayer=taxpayer is None)
        await call(stub(request).FileInformation, req, token=user.access_token)
    except DomainError as exc:
        ctx.update(error=exc, error_id=views.field_id(exc.field, parsed.sent_from))
        return render(request, "form.html", ctx, status=422)
    return RedirectResponse(f"/podatki?zlozono=1#{quote(payer_id)}", status_code=303)


def build_request(
    payer_id: str, kind: str, values: dict[str, str], objects: list[Any], *, new_taxpayer: bool
) -> pb.FileInformationRequest:
    event = views.parse_date(values["event_date"])
    if event is None:
        raise InvalidArgument(N_("Podaj datę w formacie RRRR-MM-DD."), field="event_date")
    req = pb.FileInformationRequest(
        payer_id=payer_id,
        form="DN-1" if kind == "company" else "IN-1",
        event_date=common_pb2.Date(year=event.year, month=event.month, day=event.day),
        objects=objects,
    )
    if kind == "company":
        try:
            req.year = int(values["year"] or 0)
        except ValueError:
            raise InvalidArgument(N_("Podaj rok, np. 2027."), field="year") from None
        declared = views.amount_grosze(values["declared_tax"])
        if declared == -1:
            raise InvalidArgument(N_("Podaj kwotę w złotych, np. 16 900."), field="declared_tax")
        if declared is None:
            raise InvalidArgument(N_("Podaj kwotę podatku za rok."), field="declared_tax")
        req.declared_tax_grosze = declared
    if new_taxpayer:
        req.taxpayer.CopyFrom(
            pb.Taxpayer(payer_id=payer_id, kind=kind, name=values["name"],
                        address=values["address"], identifier=values["identifier"])
        )  # fmt: skip
    return req


@router.get("/podatki/decyzje/{assessment_id}/pobierz")
async def decision_file(assessment_id: str, request: Request, user: Resident) -> Response:
    try:
        f = await call(
            stub(request).GetDecisionFile,
            pb.GetDecisionFileRequest(assessment_id=assessment_id),
            token=user.access_token,
        )
    except DomainError as exc:
        return render(request, "brak.html", {"message": exc.message}, status=404)
    return Response(
        f.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(f.filename)}",
            "Cache-Control": "private, no-store",
        },
    )
