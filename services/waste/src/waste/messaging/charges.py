"""Charge requests to billing (`portal.charges.waste.requested.v1`) written to the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2
from portal_platform.db import is_postgres
from portal_platform.messaging.outbox import Outbox, stamp
from waste.bulk import insert_rows

MODULE = "waste"
BULK = 200  # from this many events on, copy them in
BULK = 200  # from this many events on, copy them in
SUBJECT = f"portal.charges.{MODULE}.requested.v1"
KINDS = {
    "installment": billing_pb2.DOCUMENT_KIND_INSTALLMENT,
    "fee_notice": billing_pb2.DOCUMENT_KIND_FEE_NOTICE,
}


@dataclass(frozen=True)
class ChargeOut:
    """One charge for billing: an installment, or a fee notice correcting one."""

    payer_id: str
    idempotency_key: str
    kind: str  # installment | fee_notice
    title: str
    description: str
    amount_grosze: int
    due_date: date
    period_from: date
    period_to: date
    corrects_key: str = ""  # a decrease: the key of the installment's charge it lowers


def _date(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


def to_event(c: ChargeOut) -> billing_pb2.ChargeRequested:
    """A public levy: outside VAT ("np"), net = gross."""
    return billing_pb2.ChargeRequested(
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
        corrects_idempotency_key=c.corrects_key,
    )


async def queue_charges(
    session: AsyncSession, outbox: Outbox, charges: Sequence[ChargeOut]
) -> None:
    """Write the charge requests in the caller's transaction.

    A few events go through Outbox.add_many; an assessment batch (thousands) is copied in
    with the same row content (event id stamped the same way), several times faster on
    PostgreSQL.
    """
    if len(charges) < BULK or not is_postgres(session):
        await outbox.add_many(session, ((SUBJECT, to_event(c)) for c in charges))
        return
    now = datetime.now(UTC)
    rows = []
    for c in charges:
        event = to_event(c)
        rows.append(
            {
                "event_id": stamp(event, outbox.producer),
                "subject": SUBJECT,
                "payload": event.SerializeToString(),
                "created_at": now,
            }
        )
    await insert_rows(session, outbox.table, rows)
