"""Payments: booking settled money (once per source reference), online payment lifecycle."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.bulk import insert_new_returning, outbox_many
from billing.context import Context, today
from billing.ledger import service as ledger
from billing.ledger.queries import interest_of, receivables_of
from billing.messaging.events import payment_event
from billing.payers import service as payers
from billing.payments.models import Payment
from billing.payments.providers.base import InvalidNotification, Notification
from portal_platform.db import insert_ignoring_conflicts
from portal_platform.errors import DomainError, InvalidArgument, NotFound
from portal_platform.messaging.outbox import Outbox

ACTIVE = ("started", "in_progress")


@dataclass(frozen=True)
class NewPayment:
    """Money that has reached the gmina's account (statement line, cash, settled online)."""

    payer_id: str
    amount: int
    channel: str
    provider: str
    external_ref: str
    paid_on: date
    title: str = ""
    indicated: tuple[str, ...] = ()


async def book_settled(
    session: AsyncSession, ctx: Context, outbox: Outbox | None, items: Sequence[NewPayment]
) -> dict[str, str]:
    """Record and allocate payments not booked before; return external_ref → payment id."""
    booked: dict[str, str] = {}
    now = datetime.now(UTC)
    by_ref = {(p.provider, p.external_ref): p for p in items}
    rows = [
        {
            "id": str(uuid.uuid4()),
            "payer_id": p.payer_id,
            "amount_grosze": p.amount,
            "channel": p.channel,
            "provider": p.provider,
            "external_ref": p.external_ref[:100],
            "status": "settled",
            "title": p.title[:300],
            "charge_ids": list(p.indicated),
            "paid_on": p.paid_on,
            "return_url": "",
            "redirect_url": "",
            "provider_order_id": "",
            "settle_after": None,
            "created_at": now,
            "settled_at": now,
        }
        for p in by_ref.values()
    ]
    table = Payment.__table__
    conflict = ["provider", "external_ref"]
    fast = await insert_new_returning(session, table, rows, conflict, ("id", "external_ref"))  # type: ignore[arg-type]
    if fast is not None:
        booked.update({ref: pid for pid, ref in fast})
    for i in range(0, len(rows) if fast is None else 0, 1000):
        stmt = insert_ignoring_conflicts(session, table, conflict).returning(
            table.c.id, table.c.external_ref
        )
        for pid, ref in (await session.execute(stmt, rows[i : i + 1000])).all():
            booked[ref] = pid
    fresh = [(booked[p.external_ref], p) for p in by_ref.values() if p.external_ref in booked]
    await ledger.apply(
        session,
        ctx,
        [ledger.Incoming(p.payer_id, p.amount, p.paid_on, pid, p.indicated) for pid, p in fresh],
    )
    if outbox is not None and fresh:
        await outbox_many(
            session,
            outbox,
            (
                payment_event(
                    payment_id=pid,
                    payer_id=p.payer_id,
                    amount=p.amount,
                    channel=p.channel,
                    status="settled",
                    charge_ids=list(p.indicated),
                )
                for pid, p in fresh
            ),
        )
    return booked


async def amount_due(
    session: AsyncSession, ctx: Context, payer_id: str, charge_ids: Sequence[str], as_of: date
) -> int:
    """What to pay now for the charges (all open items when none are named), less credit."""
    recs = [r for r in await receivables_of(session, payer_id) if r.open]
    if charge_ids:
        known = {r.charge_id for r in recs}
        for c in charge_ids:
            if c not in known:
                raise NotFound("Nie ma takiej należności do zapłaty.", field="charge_ids")
        recs = [r for r in recs if r.charge_id in set(charge_ids)]
    total = sum(
        r.amount_grosze
        - r.principal_paid_grosze
        + r.interest_owed_grosze
        + (interest_of(ctx, r, as_of) - r.interest_owed_grosze if r.kind == "charge" else 0)
        for r in recs
    )
    if not charge_ids:
        total -= (await payers.get(session, payer_id)).credit_grosze
    return max(total, 0)


async def start_online(
    session: AsyncSession,
    ctx: Context,
    *,
    payer_id: str,
    charge_ids: Sequence[str],
    provider: str,
    return_url: str,
) -> Payment:
    """Create an online payment for the charges (or everything due) in state `started`."""
    await payers.get(session, payer_id)
    amount = await amount_due(session, ctx, payer_id, charge_ids, today())
    if amount <= 0:
        raise DomainError("Nie ma nic do zapłaty.", code="payment.nothing_due", field="charge_ids")
    if not return_url.startswith(("http://", "https://", "/")):
        raise InvalidArgument("Nieprawidłowy adres powrotu.", field="return_url")
    pid = str(uuid.uuid4())
    payment = Payment(
        id=pid,
        payer_id=payer_id,
        amount_grosze=amount,
        channel="online",
        provider=provider,
        external_ref=pid,
        status="started",
        title=_title(payer_id, len(charge_ids)),
        charge_ids=list(charge_ids),
        paid_on=None,
        return_url=return_url[:500],
        redirect_url="",
        provider_order_id="",
        settle_after=None,
        created_at=datetime.now(UTC),
        settled_at=None,
    )
    session.add(payment)
    await session.flush()
    return payment


def _title(payer_id: str, n: int) -> str:
    return (
        f"Opłata należności ({n}), kartoteka {payer_id}"
        if n
        else f"Wszystkie należności, kartoteka {payer_id}"
    )


async def locked(session: AsyncSession, provider: str, session_id: str) -> Payment | None:
    stmt = (
        select(Payment)
        .where(Payment.provider == provider, Payment.external_ref == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalars().first()


async def check(session: AsyncSession, provider: str, n: Notification) -> Payment:
    """The payment a verified notification speaks of; amounts must agree."""
    payment = await locked(session, provider, n.session_id)
    if payment is None:
        raise InvalidNotification("unknown session")
    if payment.amount_grosze != n.amount:
        raise InvalidNotification("amount differs from the registered one")
    return payment


async def on_notification(
    session: AsyncSession,
    ctx: Context,
    outbox: Outbox,
    provider: str,
    n: Notification,
    *,
    settle_delay: float | None = None,
) -> Payment:
    """Move the payment on; settled money is booked once (a repeat changes nothing)."""
    p = await check(session, provider, n)
    if p.status not in ACTIVE:
        return p
    if n.order_id:
        p.provider_order_id = n.order_id[:64]
    if n.status == "failed":
        p.status = "failed"
    elif n.status == "in_progress" and p.status == "started":
        p.status = "in_progress"
        if settle_delay is not None:
            p.settle_after = datetime.now(UTC) + timedelta(seconds=settle_delay)
        await outbox.add(
            session,
            *payment_event(
                payment_id=p.id,
                payer_id=p.payer_id,
                amount=p.amount_grosze,
                channel=p.channel,
                status="in_progress",
                charge_ids=list(p.charge_ids),
            ),
        )
    elif n.status == "settled":
        p.status = "settled"
        p.paid_on = today()
        p.settled_at = datetime.now(UTC)
        await session.flush()
        await ledger.apply(
            session,
            ctx,
            [ledger.Incoming(p.payer_id, p.amount_grosze, p.paid_on, p.id, tuple(p.charge_ids))],
        )
        await outbox.add(
            session,
            *payment_event(
                payment_id=p.id,
                payer_id=p.payer_id,
                amount=p.amount_grosze,
                channel=p.channel,
                status="settled",
                charge_ids=list(p.charge_ids),
            ),
        )
    await session.flush()
    return p


async def due_for_settlement(session: AsyncSession, provider: str, now: datetime) -> list[Payment]:
    stmt = select(Payment).where(
        Payment.provider == provider, Payment.status == "in_progress", Payment.settle_after <= now
    )
    return list((await session.execute(stmt)).scalars())


async def list_for_payer(session: AsyncSession, payer_id: str) -> list[Payment]:
    stmt = select(Payment).where(Payment.payer_id == payer_id).order_by(Payment.created_at.desc())
    return list((await session.execute(stmt)).scalars())


async def get(session: AsyncSession, payment_id: str) -> Payment:
    p = await session.get(Payment, payment_id)
    if p is None:
        raise NotFound("Nie ma takiej płatności.", field="payment_id")
    return p


async def by_ref(session: AsyncSession, provider: str, ref: str) -> Payment:
    p = (
        (
            await session.execute(
                select(Payment).where(Payment.provider == provider, Payment.external_ref == ref)
            )
        )
        .scalars()
        .first()
    )
    if p is None:
        raise NotFound("Nie ma takiej płatności.", field="reference")
    return p
