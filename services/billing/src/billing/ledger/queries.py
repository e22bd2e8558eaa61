"""Reading the ledger: balances per module, open items with interest, the account statement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.bulk import one_of
from billing.context import Context
from billing.documents.models import Document
from billing.ledger.models import Allocation, Receivable, Refund
from billing.ledger.service import to_item
from billing.payments.models import Payment


@dataclass
class Balance:
    module: str = ""
    charged: int = 0
    paid: int = 0
    outstanding: int = 0
    overdue: int = 0
    interest: int = 0
    reminder_costs: int = 0
    next_due: date | None = None
    in_progress: int = 0

    @property
    def to_pay(self) -> int:
        return self.outstanding + self.interest + self.reminder_costs

    def add(self, other: Balance) -> None:
        for name in ("charged", "paid", "outstanding", "overdue", "interest", "reminder_costs"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.next_due and (self.next_due is None or other.next_due < self.next_due):
            self.next_due = other.next_due


def interest_of(ctx: Context, r: Receivable, as_of: date) -> int:
    if r.kind != "charge" or not r.open:
        return 0
    return to_item(r).interest_at(ctx.regime(r.module), as_of)


async def receivables_of(
    session: AsyncSession, payer_id: str, module: str = ""
) -> list[Receivable]:
    stmt = select(Receivable).where(Receivable.payer_id == payer_id)
    if module:
        stmt = stmt.where(Receivable.module == module)
    stmt = stmt.order_by(Receivable.due_date, Receivable.id).execution_options(
        populate_existing=True
    )
    return list((await session.execute(stmt)).scalars())


async def in_progress_total(session: AsyncSession, payer_id: str) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(Payment.amount_grosze), 0)).where(
            Payment.payer_id == payer_id, Payment.status == "in_progress"
        )
    )
    return int(total or 0)


async def balances(
    session: AsyncSession, ctx: Context, payer_id: str, as_of: date
) -> tuple[list[Balance], Balance]:
    """Per module and in total, as of a date (interest computed to that date)."""
    per: dict[str, Balance] = {}
    # A correction lowers what was charged; it is not a payment.
    corrected = dict(
        (
            await session.execute(
                select(Allocation.receivable_id, func.sum(Allocation.amount_grosze))
                .where(
                    Allocation.payer_id == payer_id,
                    Allocation.kind.like("correction:%"),
                    Allocation.receivable_id.is_not(None),
                )
                .group_by(Allocation.receivable_id)
            )
        ).all()
    )
    for r in await receivables_of(session, payer_id):
        b = per.setdefault(r.module, Balance(module=r.module))
        left = r.amount_grosze - r.principal_paid_grosze
        if r.kind == "reminder_cost":
            b.reminder_costs += left
            continue
        lowered = int(corrected.get(r.id, 0))
        b.charged += r.amount_grosze - lowered
        b.paid += r.principal_paid_grosze - lowered
        b.outstanding += left
        if left and r.due_date < as_of:
            b.overdue += left
        b.interest += interest_of(ctx, r, as_of)
        if left and r.due_date >= as_of and (b.next_due is None or r.due_date < b.next_due):
            b.next_due = r.due_date
    total = Balance()
    for b in per.values():
        total.add(b)
    total.in_progress = await in_progress_total(session, payer_id)
    return sorted(per.values(), key=lambda b: b.module), total


@dataclass
class OpenRow:
    receivable: Receivable
    document_number: str
    interest: int
    in_progress: bool = False


@dataclass
class OpenFilter:
    module: str = ""
    payer_id: str = ""
    due_from: date | None = None
    due_to: date | None = None
    include_paid: bool = False
    limit: int = 1000
    after_id: int = 0
    as_of: date = field(default_factory=date.today)


async def open_items(session: AsyncSession, ctx: Context, f: OpenFilter) -> list[OpenRow]:
    """Amounts due matching the filter (oldest due first), with interest as of `f.as_of`."""
    stmt = (
        select(Receivable, Document.number)
        .outerjoin(Document, Document.id == Receivable.document_id)
        .where(Receivable.id > f.after_id)
    )
    if not f.include_paid:
        stmt = stmt.where(Receivable.open.is_(True))
    if f.module:
        stmt = stmt.where(Receivable.module == f.module)
    if f.payer_id:
        stmt = stmt.where(Receivable.payer_id == f.payer_id)
    if f.due_from:
        stmt = stmt.where(Receivable.due_date >= f.due_from)
    if f.due_to:
        stmt = stmt.where(Receivable.due_date <= f.due_to)
    stmt = stmt.order_by(Receivable.id).limit(max(1, min(f.limit or 1000, 5000)))
    rows = (await session.execute(stmt.execution_options(populate_existing=True))).all()
    busy = await charges_in_progress(session, {r.payer_id for r, _ in rows})
    return [
        OpenRow(r, number or "", interest_of(ctx, r, f.as_of), r.charge_id in busy)
        for r, number in rows
    ]


async def charges_in_progress(session: AsyncSession, payer_ids: set[str]) -> set[str]:
    """Charges covered by online payments not settled yet ("w trakcie")."""
    if not payer_ids:
        return set()
    rows = await session.execute(
        select(Payment.charge_ids).where(
            one_of(session, Payment.payer_id, sorted(payer_ids)), Payment.status == "in_progress"
        )
    )
    return {c for (ids,) in rows.all() for c in ids or []}


@dataclass
class Entry:
    on: date
    kind: str
    module: str
    description: str
    document_number: str
    debit: int
    credit: int
    ref_id: str
    balance: int = 0


async def statement(
    session: AsyncSession,
    payer_id: str,
    module: str,
    date_from: date | None,
    date_to: date | None,
    *,
    ctx: Context | None = None,
    today: date | None = None,
) -> tuple[int, list[Entry], int]:
    """Opening balance, entries in the period, closing balance (positive: the payer owes).

    Late interest is booked when a payment covers it; with `ctx`, a period reaching `today`
    ends with the interest accrued so far on the open items, so that the closing balance is
    what the payer has to pay today.
    """
    entries: list[Entry] = []
    docs = dict(
        (
            await session.execute(
                select(Document.id, Document.number).where(Document.payer_id == payer_id)
            )
        ).all()
    )
    receivables = await receivables_of(session, payer_id, module)
    for r in receivables:
        kind = "reminder_cost" if r.kind == "reminder_cost" else "charge"
        desc = "Koszty upomnienia" if kind == "reminder_cost" else r.title
        entries.append(
            Entry(
                r.booked_on,
                kind,
                r.module,
                desc,
                docs.get(r.document_id or "") or "",
                r.amount_grosze,
                0,
                str(r.id),
            )
        )
    allocs = select(Allocation).where(Allocation.payer_id == payer_id)
    if module:
        allocs = allocs.where(Allocation.module == module)
    for a in (await session.execute(allocs)).scalars():
        source, _, part = a.kind.rpartition(":")
        if part == "interest":
            entries.append(
                Entry(
                    a.booked_on,
                    "interest",
                    a.module,
                    "Odsetki za zwłokę",
                    "",
                    a.amount_grosze,
                    0,
                    str(a.id),
                )
            )
        if module and source != "correction" and part != "credit":
            label = "Zaliczenie nadpłaty" if source == "credit_use" else "Wpłata (zaliczona)"
            entries.append(
                Entry(
                    a.booked_on,
                    "payment",
                    a.module,
                    label,
                    "",
                    0,
                    a.amount_grosze,
                    a.payment_id or "",
                )
            )
    corrections = select(Document).where(Document.payer_id == payer_id, Document.gross_grosze < 0)
    if module:
        corrections = corrections.where(Document.module == module)
    for d in (await session.execute(corrections)).scalars():
        entries.append(
            Entry(
                d.issued_on,
                "correction",
                d.module,
                f"Korekta: {d.reason}" if d.reason else d.title,
                d.number or "",
                0,
                -d.gross_grosze,
                d.id,
            )
        )
    if not module:
        pays = select(Payment).where(Payment.payer_id == payer_id, Payment.status == "settled")
        for p in (await session.execute(pays)).scalars():
            entries.append(
                Entry(
                    p.paid_on or date.min,
                    "payment",
                    "",
                    _payment_label(p),
                    "",
                    0,
                    p.amount_grosze,
                    p.id,
                )
            )
        for f in (
            await session.execute(select(Refund).where(Refund.payer_id == payer_id))
        ).scalars():
            entries.append(
                Entry(
                    f.refunded_on,
                    "refund",
                    "",
                    f"Zwrot nadpłaty: {f.reason}",
                    "",
                    f.amount_grosze,
                    0,
                    f.id,
                )
            )
    on = today or date.today()
    if ctx is not None and (date_to is None or date_to >= on):
        accrued: dict[str, int] = {}
        for r in receivables:
            if r.open and r.kind == "charge":
                owed = interest_of(ctx, r, on)
                if owed > 0:
                    accrued[r.module] = accrued.get(r.module, 0) + owed
        for mod, amount in sorted(accrued.items()):
            entries.append(
                Entry(
                    on,
                    "interest",
                    mod,
                    accrued_interest_label(on),
                    "",
                    amount,
                    0,
                    f"accrued:{mod}",
                )
            )
    entries.sort(
        key=lambda e: (
            e.on,
            e.kind != "charge",
            e.ref_id.startswith("accrued:"),
            int(e.ref_id) if e.ref_id.isdigit() else 0,
            e.ref_id,
        )
    )
    opening = sum(e.debit - e.credit for e in entries if date_from and e.on < date_from)
    shown = [
        e
        for e in entries
        if (not date_from or e.on >= date_from) and (not date_to or e.on <= date_to)
    ]
    running = opening
    for e in shown:
        running += e.debit - e.credit
        e.balance = running
    return opening, shown, running


def accrued_interest_label(on: date) -> str:
    return f"Odsetki za zwłokę naliczone na dzień {on:%d.%m.%Y} (do zapłaty)"


def _payment_label(p: Payment) -> str:
    return {
        "online": "Wpłata online",
        "statement": "Wpłata na rachunek",
        "cash": "Wpłata w kasie",
    }.get(p.channel, "Wpłata") + (f": {p.title}" if p.title else "")
