"""API: who am I, modules, payer, balance, charges, documents (PDF, FA(3) XML), payments."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.clients import service_channel
from gateway.features.api import convert
from gateway.features.api import schemas as s
from gateway.features.api.app import CallerDep
from gateway.features.billing import einvoice
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal_platform.errors import InvalidArgument
from portal_platform.rpc.client import call

router = APIRouter()


def billing(request: Request) -> Any:
    return billing_pb2_grpc.BillingServiceStub(service_channel(request, "billing"))


@router.get("/me", response_model=s.Me, tags=["konto"])
async def me(caller: CallerDep) -> s.Me:
    """Kto jest zalogowany i które kartoteki (płatników) widzi."""
    p = caller.principal
    return s.Me(
        subject=p.subject,
        roles=sorted(p.roles),
        payers=sorted(p.payers),
        name=str(p.claims.get("name", "")),
        email=str(p.claims.get("email", "")),
    )


@router.get("/modules", response_model=list[s.ModuleOut], tags=["konto"])
async def modules(request: Request, caller: CallerDep, lang: str = "pl") -> list[s.ModuleOut]:
    """Sekcje należności (moduły) tej instalacji: woda, odpady, podatki ..."""
    found = await request.app.state.modules.ensure(caller.token)
    language = "en" if lang == "en" else "pl"
    return [
        s.ModuleOut(key=m.key, label=m.label(language), section=m.section(language), order=m.order)
        for m in found
    ]


@router.get("/payers/{payer_id}", response_model=s.PayerOut, tags=["należności"])
async def payer(request: Request, payer_id: s.PayerId, caller: CallerDep) -> s.PayerOut:
    """Dane kartoteki i indywidualny rachunek do wpłat."""
    resp = await call(
        billing(request).GetPayer,
        billing_pb2.GetPayerRequest(payer_id=caller.own(payer_id)),
        token=caller.token,
    )
    p = resp.payer
    return s.PayerOut(
        payer_id=p.payer_id,
        name=p.name,
        address=p.address,
        virtual_account=p.virtual_account,
        credit_grosze=p.credit_grosze,
    )


@router.get("/payers/{payer_id}/balance", response_model=s.BalanceOut, tags=["należności"])
async def balance(request: Request, payer_id: s.PayerId, caller: CallerDep) -> s.BalanceOut:
    """Ile jest do zapłaty: razem i w każdej sekcji (w tym po terminie, odsetki, w trakcie)."""
    b = await call(
        billing(request).GetBalance,
        billing_pb2.GetBalanceRequest(payer_id=caller.own(payer_id)),
        token=caller.token,
    )
    return s.BalanceOut(
        total=convert.module_balance(b.total),
        modules=[convert.module_balance(m) for m in b.modules],
        credit_grosze=b.credit_grosze,
    )


@router.get("/payers/{payer_id}/charges", response_model=list[s.ChargeOut], tags=["należności"])
async def charges(
    request: Request, payer_id: s.PayerId, caller: CallerDep, include_paid: bool = False
) -> list[s.ChargeOut]:
    """Należności (raty, faktury, koszty upomnień) z terminami i stanem."""
    resp = await call(
        billing(request).ListOpenCharges,
        billing_pb2.ListOpenChargesRequest(
            payer_id=caller.own(payer_id), include_paid=include_paid
        ),
        token=caller.token,
    )
    return [convert.charge(c) for c in resp.charges]


@router.get("/payers/{payer_id}/documents", response_model=list[s.DocumentOut], tags=["dokumenty"])
async def documents(
    request: Request, payer_id: s.PayerId, caller: CallerDep
) -> list[s.DocumentOut]:
    """Dokumenty wystawione dla kartoteki: faktury, zawiadomienia, decyzje, upomnienia."""
    resp = await call(
        billing(request).ListDocuments,
        billing_pb2.ListDocumentsRequest(payer_id=caller.own(payer_id)),
        token=caller.token,
    )
    return [convert.document(d) for d in resp.documents]


@router.get(
    "/documents/{document_id}/file",
    response_class=Response,
    tags=["dokumenty"],
    responses={
        200: {
            "description": "Plik dokumentu",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def document_file(request: Request, document_id: s.ObjectId, caller: CallerDep) -> Response:
    """Pobranie dokumentu (PDF)."""
    f = await call(
        billing(request).GetDocumentFile,
        billing_pb2.GetDocumentFileRequest(document_id=document_id),
        token=caller.token,
    )
    name = quote(f.filename or "dokument.pdf")
    return Response(
        f.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/documents/{document_id}/structured-invoice",
    response_class=Response,
    tags=["dokumenty"],
    responses={
        200: {
            "description": "Faktura ustrukturyzowana FA(3) (XML, KSeF)",
            "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def structured_invoice(
    request: Request, document_id: s.ObjectId, caller: CallerDep
) -> Response:
    """Faktura ustrukturyzowana FA(3) (XML, KSeF) faktury lub korekty dla płatnika z NIP."""
    f = await einvoice.fetch(billing(request), document_id, caller.token)
    return einvoice.xml_response(f)


@router.get(
    "/payers/{payer_id}/payment-instructions", response_model=s.Instructions, tags=["płatności"]
)
async def instructions(request: Request, payer_id: s.PayerId, caller: CallerDep) -> s.Instructions:
    """Dane do przelewu na wszystko, co jest do zapłaty (z kodem QR w formacie ZBP)."""
    i = await call(
        billing(request).GetPaymentInstructions,
        billing_pb2.GetPaymentSlipRequest(payer_id=caller.own(payer_id)),
        token=caller.token,
    )
    return s.Instructions(
        recipient_name=i.recipient_name,
        account=i.account,
        amount_grosze=i.amount_grosze,
        title=i.title,
        qr_payload=i.qr_payload,
    )


@router.get("/payers/{payer_id}/payments", response_model=list[s.PaymentOut], tags=["płatności"])
async def payments(request: Request, payer_id: s.PayerId, caller: CallerDep) -> list[s.PaymentOut]:
    """Historia płatności; `in_progress` — wpłata online czeka na potwierdzenie."""
    resp = await call(
        billing(request).ListPayments,
        billing_pb2.ListPaymentsRequest(payer_id=caller.own(payer_id)),
        token=caller.token,
    )
    return [convert.payment(p) for p in resp.payments]


def _return_url(request: Request, given: str) -> str:
    if not given:
        return str(request.base_url).rstrip("/").removesuffix("/api/v1") + "/platnosci"
    parts = urlsplit(given)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InvalidArgument("Podaj pełny adres powrotu (https://...).", field="return_url")
    return given


@router.post(
    "/payers/{payer_id}/payments",
    response_model=s.PaymentStarted,
    status_code=201,
    tags=["płatności"],
)
async def start_payment(
    request: Request, payer_id: s.PayerId, body: s.StartPayment, caller: CallerDep
) -> s.PaymentStarted:
    """Rozpocznij płatność online: wskazanych należności albo (pusta lista) wszystkiego."""
    req = billing_pb2.StartOnlinePaymentRequest(
        payer_id=caller.own(payer_id),
        charge_ids=body.charge_ids,
        all_due=not body.charge_ids,
        return_url=_return_url(request, body.return_url),
        email=str(caller.principal.claims.get("email", "")),
    )
    started = await call(billing(request).StartOnlinePayment, req, token=caller.token)
    return s.PaymentStarted(
        payment=convert.payment(started.payment), redirect_url=started.redirect_url
    )
