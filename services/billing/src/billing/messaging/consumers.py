"""Consumers of billing: the charges intake (`portal.charges.*.requested.v1`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy.ext.asyncio import AsyncSession

from billing.bulk import outbox_many
from billing.charges.intake import intake
from billing.charges.schemas import Attachment, ChargeIn, LineIn
from billing.context import Context
from billing.messaging.events import document_issued
from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2
from portal_platform.errors import InvalidArgument
from portal_platform.messaging.bus import CHARGES_STREAM
from portal_platform.messaging.inbox import Envelope, Subscription
from portal_platform.messaging.outbox import Outbox

CHARGES_SUBJECT = "portal.charges.*.requested.v1"
KIND_NAMES = {
    billing_pb2.DOCUMENT_KIND_INVOICE: "invoice",
    billing_pb2.DOCUMENT_KIND_FEE_NOTICE: "fee_notice",
    billing_pb2.DOCUMENT_KIND_DECISION: "decision",
    billing_pb2.DOCUMENT_KIND_INSTALLMENT: "installment",
    billing_pb2.DOCUMENT_KIND_CORRECTION: "correction",
}


def to_date(d: common_pb2.Date) -> date | None:
    if not d.year:
        return None
    try:
        return date(d.year, d.month, d.day)
    except ValueError:
        raise InvalidArgument(
            f"Nieprawidłowa data {d.year}-{d.month}-{d.day}.", field="date"
        ) from None


def to_charge_in(env: Envelope) -> ChargeIn:
    """Convert a ChargeRequested event; the subject's module must be the event's module."""
    ev: billing_pb2.ChargeRequested = env.event
    subject_module = env.subject.split(".")[2] if env.subject.count(".") >= 4 else ""
    if ev.module != subject_module:
        raise InvalidArgument("Moduł w zdarzeniu różni się od tematu.", field="module")
    lines = []
    for line in ev.lines:
        try:
            qty = Decimal(line.quantity or "0")
        except InvalidOperation:
            raise InvalidArgument(
                f"Nieprawidłowa ilość: {line.quantity!r}.", field="quantity"
            ) from None
        lines.append(
            LineIn(
                description=line.description,
                quantity=qty,
                unit=line.unit,
                unit_net_grosze=line.unit_net_grosze,
                net_grosze=line.net_grosze,
                vat_rate=line.vat_rate,
                vat_grosze=line.vat_grosze,
                gross_grosze=line.gross_grosze,
                period_from=to_date(line.period_from),
                period_to=to_date(line.period_to),
            )
        )
    due = tuple(d for d in (to_date(x) for x in ev.due_dates) if d is not None)
    attachment = None
    if ev.HasField("document") and ev.document.content:
        attachment = Attachment(
            filename=ev.document.filename or "dokument.pdf",
            content_type=ev.document.content_type or "application/pdf",
            content=bytes(ev.document.content),
        )
    return ChargeIn(
        event_id=env.event_id,
        payer_id=ev.payer_id,
        module=ev.module,
        idempotency_key=ev.idempotency_key,
        document_kind=KIND_NAMES.get(ev.document_kind, ""),
        title=ev.title,
        lines=tuple(lines),
        due_dates=due,
        payer_name=ev.payer.name,
        payer_address=ev.payer.address,
        payer_nip=ev.payer.nip,
        attachment=attachment,
        corrects_key=ev.corrects_idempotency_key,
    )


def charges_subscription(outbox: Outbox, ctx: Context) -> Subscription:
    async def on_charge_requested(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        result = await intake(session, ctx, [to_charge_in(e) for e in envelopes])
        booked = result.booked
        await outbox_many(session, outbox, (document_issued(d) for d in result.documents))
        await outbox_many(
            session,
            outbox,
            (
                (
                    "portal.billing.charge.booked.v1",
                    billing_pb2.ChargeBooked(
                        charge_id=b.id,
                        payer_id=b.payer_id,
                        module=b.module,
                        idempotency_key=b.idempotency_key,
                        gross_grosze=b.gross_grosze,
                    ),
                )
                for b in booked
            ),
        )

    return Subscription(
        consumer="billing",
        purpose="charges",
        stream=CHARGES_STREAM,
        subjects=(CHARGES_SUBJECT,),
        event_type=billing_pb2.ChargeRequested,
        handler=on_charge_requested,
    )
