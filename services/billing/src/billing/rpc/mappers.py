"""Conversions between billing's records and protobuf messages (no decisions here)."""

from __future__ import annotations

from datetime import date
from typing import Any

from billing.charges.models import Charge
from billing.documents.models import Document
from billing.ksef import service as einvoices
from billing.ledger.queries import Balance, Entry, OpenRow
from billing.messaging.events import KIND_VALUES, pb_date
from billing.payers.models import Payer
from billing.payments.models import Payment
from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2


def from_pb_date(d: common_pb2.Date, default: date | None = None) -> date | None:
    if not d.year:
        return default
    try:
        return date(d.year, d.month, d.day)
    except ValueError:
        from portal_platform.errors import InvalidArgument

        raise InvalidArgument(
            f"Nieprawidłowa data {d.year}-{d.month}-{d.day}.", field="date"
        ) from None


def payer_pb(p: Payer) -> billing_pb2.Payer:
    return billing_pb2.Payer(
        payer_id=p.id,
        name=p.name,
        address=p.address,
        nip=p.nip,
        virtual_account=p.virtual_account,
        credit_grosze=p.credit_grosze,
    )


def balance_pb(b: Balance) -> billing_pb2.ModuleBalance:
    return billing_pb2.ModuleBalance(
        module=b.module,
        charged_grosze=b.charged,
        paid_grosze=b.paid,
        outstanding_grosze=b.outstanding,
        overdue_grosze=b.overdue,
        interest_grosze=b.interest,
        reminder_costs_grosze=b.reminder_costs,
        to_pay_grosze=b.to_pay,
        next_due_date=pb_date(b.next_due),
        in_progress_grosze=b.in_progress,
    )


def entry_pb(e: Entry) -> billing_pb2.LedgerEntry:
    return billing_pb2.LedgerEntry(
        date=pb_date(e.on),
        kind=e.kind,
        module=e.module,
        description=e.description,
        document_number=e.document_number,
        debit_grosze=e.debit,
        credit_grosze=e.credit,
        balance_grosze=e.balance,
        ref_id=e.ref_id,
    )


def open_pb(o: OpenRow, as_of: date) -> billing_pb2.OpenCharge:
    r = o.receivable
    left = r.amount_grosze - r.principal_paid_grosze
    if not r.open:
        status = "paid"
    elif o.in_progress:
        status = "in_progress"
    elif r.due_date < as_of:
        status = "overdue"
    else:
        status = "open"
    return billing_pb2.OpenCharge(
        charge_id=r.charge_id or "",
        receivable_id=r.id,
        payer_id=r.payer_id,
        module=r.module,
        title=r.title,
        document_number=o.document_number,
        due_date=pb_date(r.due_date),
        amount_grosze=r.amount_grosze,
        outstanding_grosze=left,
        interest_grosze=o.interest,
        status=status,
        kind=r.kind,
        document_id=r.document_id or "",
    )


def document_pb(
    d: Document, corrects_number: str = "", ksef: einvoices.Status | None = None
) -> billing_pb2.Document:
    return billing_pb2.Document(
        document_id=d.id,
        payer_id=d.payer_id,
        module=d.module,
        kind=KIND_VALUES.get(d.kind, 0),
        number=d.number or "",
        title=d.title,
        gross_grosze=d.gross_grosze,
        issued_on=pb_date(d.issued_on),
        due_date=pb_date(d.due_date),
        corrects_document_id=d.corrects_id or "",
        corrects_number=corrects_number or str(d.snapshot.get("corrects_number") or ""),
        reason=d.reason,
        filename=d.filename,
        content_type=d.content_type,
        charge_id=d.charge_id or "",
        ksef_status=ksef.status if ksef else "",
        ksef_number=ksef.ksef_number if ksef else "",
        ksef_error=ksef.error if ksef else "",
    )


def payment_pb(p: Payment) -> billing_pb2.Payment:
    return billing_pb2.Payment(
        payment_id=p.id,
        payer_id=p.payer_id,
        amount_grosze=p.amount_grosze,
        channel=p.channel,
        status=p.status,
        provider=p.provider,
        title=p.title,
        paid_on=pb_date(p.paid_on),
        charge_ids=list(p.charge_ids or []),
        created_at=p.created_at.isoformat(),
        redirect_url=p.redirect_url if p.status == "started" else "",
    )


def charge_lines_in(lines: list[billing_pb2.ChargeLine]) -> list[Any]:
    from decimal import Decimal, InvalidOperation

    from billing.charges.schemas import LineIn
    from portal_platform.errors import InvalidArgument

    out = []
    for i, ln in enumerate(lines):
        try:
            qty = Decimal(ln.quantity or "0")
        except InvalidOperation:
            raise InvalidArgument(
                f"Pozycja {i + 1}: nieprawidłowa ilość.", field=f"lines[{i}].quantity"
            ) from None
        out.append(
            LineIn(
                ln.description,
                qty,
                ln.unit,
                ln.unit_net_grosze,
                ln.net_grosze,
                ln.vat_rate,
                ln.vat_grosze,
                ln.gross_grosze,
                from_pb_date(ln.period_from),
                from_pb_date(ln.period_to),
            )
        )
    return out


def charge_summary(c: Charge) -> str:
    return c.title
