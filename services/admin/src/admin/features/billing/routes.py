"""Admin Rozliczenia: payer search and ledger, cash, refunds, uploads, corrections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.features.billing import office
from admin.features.billing.common import Clerk, billing, grosze, pb_date, render
from portal.billing.v1 import billing_pb2
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError

router = APIRouter()
router.include_router(office.router)


@router.get("/rozliczenia", response_class=HTMLResponse)
async def home(request: Request, clerk: Clerk, q: str = "") -> Response:
    """Payer search and the menu of the billing back office."""
    found = await billing(
        request, clerk, "SearchPayers", billing_pb2.SearchPayersRequest(query=q, limit=100)
    )
    return render(request, "home.html", {"q": q, "payers": list(found.payers)})


async def payer_page(
    request: Request,
    clerk: Clerk,
    payer_id: str,
    *,
    error: DomainError | None = None,
    done: str = "",
    form: str = "",
    od: str = "",
    do: str = "",
) -> Response:
    payer = await billing(
        request, clerk, "GetPayer", billing_pb2.GetPayerRequest(payer_id=payer_id)
    )
    balance = await billing(
        request, clerk, "GetBalance", billing_pb2.GetBalanceRequest(payer_id=payer_id)
    )
    ledger = await billing(
        request,
        clerk,
        "GetLedger",
        billing_pb2.GetLedgerRequest(
            payer_id=payer_id, date_from=pb_date(od, "od"), date_to=pb_date(do, "do")
        ),
    )
    docs = await billing(
        request, clerk, "ListDocuments", billing_pb2.ListDocumentsRequest(payer_id=payer_id)
    )
    pays = await billing(
        request, clerk, "ListPayments", billing_pb2.ListPaymentsRequest(payer_id=payer_id)
    )
    open_ = await billing(
        request, clerk, "ListOpenCharges", billing_pb2.ListOpenChargesRequest(payer_id=payer_id)
    )
    return render(
        request,
        "payer.html",
        {
            "payer": payer.payer,
            "balance": balance,
            "ledger": ledger,
            "documents": list(docs.documents),
            "payments": list(pays.payments),
            "open": list(open_.charges),
            "error": error,
            "form": form,
            "done": done,
            "od": od,
            "do": do,
        },
        status=422 if error else 200,
    )


@router.get("/rozliczenia/platnik/{payer_id}", response_class=HTMLResponse)
async def payer(
    request: Request, clerk: Clerk, payer_id: str, zrobione: str = "", od: str = "", do: str = ""
) -> Response:
    """The payer's kartoteka; `od`/`do` limit the statement to a period."""
    try:
        return await payer_page(request, clerk, payer_id, done=zrobione, od=od, do=do)
    except DomainError as exc:
        return render(request, "missing.html", {"message": exc.message}, status=404)


def back(payer_id: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/rozliczenia/platnik/{payer_id}?zrobione={done}", status_code=303)


@router.post("/rozliczenia/platnik/{payer_id}/dane", dependencies=[Depends(verify_csrf)])
async def details(
    request: Request,
    clerk: Clerk,
    payer_id: str,
    name: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    nip: Annotated[str, Form()] = "",
) -> Response:
    try:
        await billing(
            request,
            clerk,
            "UpsertPayer",
            billing_pb2.UpsertPayerRequest(
                payer_id=payer_id,
                details=billing_pb2.PayerDetails(name=name, address=address, nip=nip),
            ),
        )
    except DomainError as exc:
        return await payer_page(request, clerk, payer_id, error=exc, form="dane")
    return back(payer_id, "dane")


@router.post("/rozliczenia/platnik/{payer_id}/wplata", dependencies=[Depends(verify_csrf)])
async def cash(
    request: Request,
    clerk: Clerk,
    payer_id: str,
    amount: Annotated[str, Form()] = "",
    paid_on: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    charge_id: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
) -> Response:
    try:
        await billing(
            request,
            clerk,
            "RecordPayment",
            billing_pb2.RecordPaymentRequest(
                payer_id=payer_id,
                amount_grosze=grosze(amount, "amount"),
                paid_on=pb_date(paid_on, "paid_on"),
                reference=reference,
                charge_id=charge_id,
                title=title,
            ),
        )
    except DomainError as exc:
        return await payer_page(request, clerk, payer_id, error=exc, form="wplata")
    return back(payer_id, "wplata")


@router.post("/rozliczenia/platnik/{payer_id}/zwrot", dependencies=[Depends(verify_csrf)])
async def refund(
    request: Request,
    clerk: Clerk,
    payer_id: str,
    amount: Annotated[str, Form()] = "",
    bank_account: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        await billing(
            request,
            clerk,
            "RefundCredit",
            billing_pb2.RefundCreditRequest(
                payer_id=payer_id,
                amount_grosze=grosze(amount, "refund_amount"),
                bank_account=bank_account,
                reason=reason,
            ),
        )
    except DomainError as exc:
        if exc.field == "amount":
            exc.field = "refund_amount"
        return await payer_page(request, clerk, payer_id, error=exc, form="zwrot")
    return back(payer_id, "zwrot")


@router.post("/rozliczenia/platnik/{payer_id}/dokument", dependencies=[Depends(verify_csrf)])
async def upload(
    request: Request,
    clerk: Clerk,
    payer_id: str,
    file: UploadFile,
    title: Annotated[str, Form()] = "",
    module: Annotated[str, Form()] = "",
) -> Response:
    content = await file.read(10 * 1024 * 1024 + 1)
    try:
        await billing(
            request,
            clerk,
            "UploadDocument",
            billing_pb2.UploadDocumentRequest(
                payer_id=payer_id,
                module=module,
                title=title,
                filename=file.filename or "dokument.pdf",
                content_type=file.content_type or "",
                content=content,
            ),
        )
    except DomainError as exc:
        if exc.field == "content":
            exc.field = "file"
        return await payer_page(request, clerk, payer_id, error=exc, form="dokument")
    return back(payer_id, "dokument")


@router.get("/rozliczenia/dokument/{document_id}")
async def document(request: Request, clerk: Clerk, document_id: str) -> Response:
    try:
        f = await billing(
            request,
            clerk,
            "GetDocumentFile",
            billing_pb2.GetDocumentFileRequest(document_id=document_id),
        )
    except DomainError as exc:
        return render(request, "missing.html", {"message": exc.message}, status=404)
    return Response(
        f.content,
        media_type=f.content_type or "application/pdf",
        headers={"Content-Disposition": f'inline; filename="{f.filename}"'},
    )


@router.get("/rozliczenia/dokument/{document_id}/xml")
async def structured_invoice(request: Request, clerk: Clerk, document_id: str) -> Response:
    """The FA(3) XML of an invoice or correction to a payer with a NIP (KSeF)."""
    try:
        f = await billing(
            request,
            clerk,
            "GetStructuredInvoice",
            billing_pb2.GetStructuredInvoiceRequest(document_id=document_id),
        )
    except DomainError as exc:
        return render(request, "missing.html", {"message": exc.message}, status=404)
    return Response(
        f.content,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{f.filename}"'},
    )
