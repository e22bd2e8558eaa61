"""Events of water: ReadingDecided and the charge request to billing (via the outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2
from portal.water.v1 import water_pb2
from portal_platform.messaging.outbox import EventMessage, Outbox
from water.policy import Policy, today
from water.readings.rules import MAIN
from water.readings.service import Decided

MODULE = "water"
CHARGE_SUBJECT = "portal.charges.water.requested.v1"
DECIDED_SUBJECTS = {
    "accepted": "portal.water.reading.accepted.v1",
    "corrected": "portal.water.reading.corrected.v1",
    "rejected": "portal.water.reading.rejected.v1",
}


def pb_date(d: date | None) -> common_pb2.Date | None:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day) if d else None


def charge_requested(d: Decided, policy: Policy) -> billing_pb2.ChargeRequested:
    """The invoice of a settlement as billing's ChargeRequested (idempotency key = reading id).

    An actual reading that settles estimated invoices may come out below them: that invoice
    is a correction lowering the last estimate (billing keeps what was paid as credit).
    """
    assert d.settlement is not None and d.plan is not None
    decrease = d.plan.invoice.gross_grosze < 0
    return billing_pb2.ChargeRequested(
        payer_id=d.premises.payer_id,
        module=MODULE,
        idempotency_key=d.reading.id,
        document_kind=billing_pb2.DOCUMENT_KIND_CORRECTION
        if decrease
        else billing_pb2.DOCUMENT_KIND_INVOICE,
        corrects_idempotency_key=d.plan.settles_charges[-1]
        if decrease and d.plan.settles_charges
        else "",
        title=d.settlement.title,
        lines=[
            billing_pb2.ChargeLine(
                description=x.description,
                quantity=str(x.quantity),
                unit="m3" if x.unit == "m3" else x.unit,
                unit_net_grosze=x.unit_net_grosze,
                net_grosze=x.net_grosze,
                vat_rate=x.vat_rate,
                vat_grosze=x.vat_grosze,
                gross_grosze=x.gross_grosze,
                period_from=pb_date(x.period_from),
                period_to=pb_date(x.period_to),
            )
            for x in d.plan.invoice.lines
        ],
        due_dates=[pb_date(today() + timedelta(days=policy.payment_days))],
    )


def reading_decided(d: Decided) -> water_pb2.ReadingDecided:
    meters = {m.id: m for m in d.premises.meters}
    main = next(
        (v for v in d.reading.values if v.meter_id in meters and meters[v.meter_id].kind == MAIN),
        d.reading.values[0] if d.reading.values else None,
    )
    return water_pb2.ReadingDecided(
        reading_id=d.reading.id,
        payer_id=d.reading.payer_id,
        premises_id=d.reading.premises_id,
        meter_serial=meters[main.meter_id].serial if main else "",
        submitted_m3=str(main.submitted_m3) if main else "",
        accepted_m3=str(main.value_m3) if main and d.decision != "rejected" else "",
        reading_date=pb_date(d.reading.reading_date),
        decision=d.decision,
        reason=d.reading.reason,
    )


async def publish_decided(
    session: AsyncSession, outbox: Outbox, decided: Sequence[Decided], policy: Policy
) -> None:
    """Queue, in the caller's transaction, the charges and ReadingDecided of decided readings."""
    items: list[tuple[str, EventMessage]] = []
    for d in decided:
        if d.settlement is not None:
            items.append((CHARGE_SUBJECT, charge_requested(d, policy)))
        if d.decision in DECIDED_SUBJECTS:
            items.append((DECIDED_SUBJECTS[d.decision], reading_decided(d)))
    await outbox.add_many(session, items)
