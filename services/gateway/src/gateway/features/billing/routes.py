"""Routes of Należności, Dokumenty and Płatności (resident UI)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from gateway.auth import CurrentUser, require_verified
from gateway.features.billing import client, einvoice, views
from portal.billing.v1 import billing_pb2
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError, NotFound
from portal_platform.rpc.client import call

router = APIRouter()
Resident = Annotated[CurrentUser, Depends(require_verified)]


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, f"billing/{name}", {**views.HELPERS, **ctx}, status_code=status
    )
    return response


def own_payer(user: CurrentUser, payer_id: str) -> str:
    """The payer asked for, if it is the user's; else the first one (never someone else's)."""
    return payer_id if payer_id in user.payers else (user.payers[0] if user.payers else "")


async def payer_overview(request: Request, user: CurrentUser, payer_id: str) -> dict[str, Any]:
    stub = client.billing(request)
    t = user.access_token
    balance = await call(stub.GetBalance, billing_pb2.GetBalanceRequest(payer_id=payer_id), token=t)
    open_ = await call(
        stub.ListOpenCharges, billing_pb2.ListOpenChargesRequest(payer_id=payer_id), token=t
    )
    payer = await call(stub.GetPayer, billing_pb2.GetPayerRequest(payer_id=payer_id), token=t)
    mods = await client.modules(request, t)
    return {
        "payer": payer.payer,
        "balance": balance,
        "sections": views.sections(mods, balance, list(open_.charges)),
    }


@router.get("/naleznosci", response_class=HTMLResponse)
async def receivables(request: Request, user: Resident) -> Response:
    payers = []
    for payer_id in user.payers:
        try:
            payers.append(await payer_overview(request, user, payer_id))
        except DomainError:
            continue
    return render(request, "naleznosci.html", {"payers": payers})


@router.get("/dokumenty", response_class=HTMLResponse)
async def documents(request: Request, user: Resident) -> Response:
    stub = client.billing(request)
    found = []
    for payer_id in user.payers:
        resp = await call(
            stub.ListDocuments,
            billing_pb2.ListDocumentsRequest(payer_id=payer_id),
            token=user.access_token,
        )
        found.append((payer_id, list(resp.documents)))
    return render(request, "dokumenty.html", {"by_payer": found})


def pdf(file: Any, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    name = quote(file.filename or "dokument.pdf")
    return Response(
        file.content,
        media_type=file.content_type or "application/pdf",
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{name}",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/dokumenty/{document_id}/pobierz")
async def download(document_id: str, request: Request, user: Resident) -> Response:
    try:
        f = await call(
            client.billing(request).GetDocumentFile,
            billing_pb2.GetDocumentFileRequest(document_id=document_id),
            token=user.access_token,
        )
    except DomainError:
        return render(request, "brak.html", {"what": "dokumentu"}, status=404)
    return pdf(f)


@router.get("/dokumenty/{document_id}/xml")
async def structured_invoice(document_id: str, request: Request, user: Resident) -> Response:
    """The FA(3) XML (KSeF) of the resident's own invoice or correction; else as if missing."""
    try:
        f = await einvoice.fetch(client.billing(request), document_id, user.access_token)
    except NotFound:
        return render(request, "brak.html", {"what": "dokumentu"}, status=404)
    except DomainError as exc:
        return render(request, "faktura_xml.html", {"message": exc.message}, status=409)
    return einvoice.xml_response(f)


@router.get("/platnosci", response_class=HTMLResponse)
async def payments(request: Request, user: Resident, platnosc: str = "") -> Response:
    stub = client.billing(request)
    t = user.access_token
    gmina = await call(stub.GetGminaInfo, billing_pb2.GetGminaInfoRequest(), token=t)
    rows = []
    for payer_id in user.payers:
        payer = await call(stub.GetPayer, billing_pb2.GetPayerRequest(payer_id=payer_id), token=t)
        info = await call(
            stub.GetPaymentInstructions,
            billing_pb2.GetPaymentSlipRequest(payer_id=payer_id),
            token=t,
        )
        history = await call(
            stub.ListPayments, billing_pb2.ListPaymentsRequest(payer_id=payer_id), token=t
        )
        rows.append({"payer": payer.payer, "info": info, "history": list(history.payments)})
    return render(request, "platnosci.html", {"gmina": gmina, "rows": rows, "returned": platnosc})


@router.post("/platnosci/online", dependencies=[Depends(verify_csrf)])
async def pay_online(
    request: Request,
    user: Resident,
    payer_id: Annotated[str, Form()],
    charge_id: Annotated[str, Form()] = "",
) -> Response:
    payer_id = own_payer(user, payer_id)
    req = billing_pb2.StartOnlinePaymentRequest(
        payer_id=payer_id,
        charge_ids=[charge_id] if charge_id else [],
        all_due=not charge_id,
        return_url=str(request.url_for("payments")),
        email=user.email,
    )
    try:
        started = await call(
            client.billing(request).StartOnlinePayment, req, token=user.access_token
        )
    except DomainError as exc:
        return render(request, "blad.html", {"message": exc.message}, status=422)
    return RedirectResponse(started.redirect_url, status_code=303)


@router.get("/platnosci/blankiet")
async def slip(
    request: Request, user: Resident, payer_id: str = "", charge_id: str = ""
) -> Response:
    payer_id = own_payer(user, payer_id)
    try:
        f = await call(
            client.billing(request).GetPaymentSlip,
            billing_pb2.GetPaymentSlipRequest(payer_id=payer_id, charge_id=charge_id),
            token=user.access_token,
        )
    except DomainError:
        return render(request, "brak.html", {"what": "należności"}, status=404)
    return pdf(f, inline=True)


@router.post("/platnosci/powiadomienie/{provider}")
async def provider_notification(provider: str, request: Request) -> Response:
    """A payment provider's notification, passed on to billing, which checks and verifies it."""
    base = client.billing_http(request)
    if not base or not provider.isalnum():
        return PlainTextResponse("unavailable", status_code=503)
    async with httpx.AsyncClient(timeout=20) as http:
        resp = await http.post(
            f"{base}/notify/{provider}",
            content=await request.body(),
            headers={"content-type": request.headers.get("content-type", "application/json")},
        )
    return PlainTextResponse(resp.text, status_code=resp.status_code)
