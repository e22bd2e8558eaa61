"""Events billing publishes (through the outbox): documents issued, payments received/settled."""

from __future__ import annotations

from datetime import date

from billing.documents.schemas import Draft
from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2

DOCUMENT_ISSUED = "portal.billing.document.issued.v1"
PAYMENT_RECEIVED = "portal.billing.payment.received.v1"
PAYMENT_SETTLED = "portal.billing.payment.settled.v1"

KIND_VALUES = {
    "invoice": billing_pb2.DOCUMENT_KIND_INVOICE,
    "fee_notice": billing_pb2.DOCUMENT_KIND_FEE_NOTICE,
    "decision": billing_pb2.DOCUMENT_KIND_DECISION,
    "installment": billing_pb2.DOCUMENT_KIND_INSTALLMENT,
    "reminder": billing_pb2.DOCUMENT_KIND_REMINDER,
    "correction": billing_pb2.DOCUMENT_KIND_CORRECTION,
    "uploaded": billing_pb2.DOCUMENT_KIND_UPLOADED,
}


def pb_date(d: date | None) -> common_pb2.Date | None:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day) if d else None


def document_issued(d: Draft) -> tuple[str, billing_pb2.DocumentIssued]:
    return DOCUMENT_ISSUED, billing_pb2.DocumentIssued(
        document_id=d.id,
        payer_id=d.payer_id,
        module=d.module,
        document_kind=KIND_VALUES.get(d.kind, 0),
        number=d.number or "",
        title=d.title,
        gross_grosze=d.gross_grosze,
        due_date=pb_date(d.due_date),
        is_reminder=d.kind == "reminder",
    )


def payment_event(
    *, payment_id: str, payer_id: str, amount: int, channel: str, status: str, charge_ids: list[str]
) -> tuple[str, billing_pb2.PaymentEvent]:
    subject = PAYMENT_SETTLED if status == "settled" else PAYMENT_RECEIVED
    return subject, billing_pb2.PaymentEvent(
        payment_id=payment_id,
        payer_id=payer_id,
        amount_grosze=amount,
        channel=channel,
        status=status,
        charge_ids=charge_ids,
    )
