"""Charge requests to billing (`portal.charges.property_tax.requested.v1`) written to the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2
from portal_platform.messaging.outbox import Outbox

MODULE = "property_tax"
SUBJECT = f"portal.charges.{MODULE}.requested.v1"
KINDS = {
    "decision": billing_pb2.DOCUMENT_KIND_DECISION,
    "installment": billing_pb2.DOCUMENT_KIND_INSTALLMENT,
    "correction": billing_pb2.DOCUMENT_KIND_CORRECTION,
}


@dataclass(frozen=True)
class ChargeOut:
    """One installment for billing; the decision's first one carries the decision PDF."""

    payer_id: str
    idempotency_key: str
    kind: str  # decision | installment | correction (a company's lower DN-1)
    title: str
    description: str
    amount_grosze: int
    due_date: date
    period_from: date
    period_to: date
    payer_name: str = ""
    payer_address: str = ""
    payer_nip: str = ""
    document: bytes | None = None
    document_name: str = "decyzja.pdf"
    corrects_key: str = ""  # a decrease: the key of the installment's charge it lowers


def _date(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


def to_event(c: ChargeOut) -> billing_pb2.ChargeRequested:
    """A tax: outside VAT ("np"), net = gross; billing applies the tax-like regime."""
    event = billing_pb2.ChargeRequested(
        payer_id=c.payer_id,
        module=MODULE,
        idempotency_key=c.idempotency_key,
        document_kind=KINDS[c.kind],
        title=c.title,
        lines=[
            billing_pb2.ChargeLine(
                description=c.description,
                quantity="1",
                unit="rata",
                unit_net_grosze=c.amount_grosze,
                net_grosze=c.amount_grosze,
                vat_rate="np",
                vat_grosze=0,
                gross_grosze=c.amount_grosze,
                period_from=_date(c.period_from),
                period_to=_date(c.period_to),
            )
        ],
        due_dates=[_date(c.due_date)],
        payer=billing_pb2.PayerDetails(name=c.payer_name, address=c.payer_address, nip=c.payer_nip),
        corrects_idempotency_key=c.corrects_key,
    )
    if c.document:
        event.document.CopyFrom(
            billing_pb2.AttachedDocument(
                filename=c.document_name, content_type="application/pdf", content=c.document
            )
        )
    return event


async def queue_charges(
    session: AsyncSession, outbox: Outbox, charges: Sequence[ChargeOut]
) -> None:
    """Write the charge requests in the caller's transaction (sent by the relay)."""
    await outbox.add_many(session, ((SUBJECT, to_event(c)) for c in charges))
