"""Receivables and allocations: booking amounts due and applying payments, credit, corrections."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from billing.bulk import insert_rows, one_of, update_rows
from billing.context import Context
from billing.ledger.models import Allocation, Receivable
from billing.ledger.rules import OpenItem, allocate, reduce_principal
from billing.payers.models import Payer


def split_installments(gross: int, n: int) -> list[int]:
    """`gross` in `n` parts; the first carries the odd grosze."""
    base, rest = divmod(gross, n)
    return [base + rest] + [base] * (n - 1)


def receivable_row(
    *,
    payer_id: str,
    module: str,
    kind: str,
    charge_id: str | None,
    document_id: str | None,
    title: str,
    booked_on: date,
    due_date: date,
    amount: int,
) -> dict[str, object]:
    return {
        "payer_id": payer_id,
        "module": module,
        "kind": kind,
        "charge_id": charge_id,
        "document_id": document_id,
        "title": title[:300],
        "booked_on": booked_on,
        "due_date": due_date,
        "amount_grosze": amount,
        "principal_paid_grosze": 0,
        "interest_owed_grosze": 0,
        "interest_paid_grosze": 0,
        "interest_from": due_date,
        "open": amount > 0,
    }


async def add_receivables(session: AsyncSession, rows: Sequence[dict[str, object]]) -> None:
    await insert_rows(session, Receivable.__table__, rows)  # type: ignore[arg-type]


def to_item(r: Any) -> OpenItem:
    """The allocation state of a receivable (a model object or a plain row)."""
    return OpenItem(
        id=r.id,
        kind=r.kind,
        module=r.module,
        charge_id=r.charge_id,
        due_date=r.due_date,
        principal=r.amount_grosze - r.principal_paid_grosze,
        interest_owed=r.interest_owed_grosze,
        interest_from=r.interest_from,
    )


async def open_receivables(session: AsyncSession, payer_ids: Iterable[str]) -> dict[str, list[Any]]:
    """Open receivables of the payers (plain rows, fast for bulk), oldest due first."""
    ids = sorted(set(payer_ids))
    out: dict[str, list[Any]] = defaultdict(list)
    for i in range(0, len(ids), 5000):
        rows = await session.execute(
            select(Receivable.__table__)
            .where(
                one_of(session, Receivable.payer_id, ids[i : i + 5000]), Receivable.open.is_(True)
            )
            .order_by(Receivable.due_date, Receivable.id)
        )
        for r in rows.all():
            out[r.payer_id].append(r)
    return out


@dataclass(frozen=True)
class Incoming:
    """Money to apply to a payer's ledger: a settled payment, credit, or a correction."""

    payer_id: str
    amount: int
    paid_on: date
    payment_id: str | None = None
    indicated: tuple[str, ...] = ()
    kind_prefix: str = ""  # "" for payments; "credit_use" / "correction" otherwise
    keep_credit: bool = True


async def apply(
    session: AsyncSession, ctx: Context, incoming: Sequence[Incoming]
) -> dict[str, int]:
    """Allocate each amount to the payer's open items; return what was left per payer.

    What is left is kept as credit when `keep_credit` (an overpayment).
    """
    if not incoming:
        return {}
    by_payer = await open_receivables(session, (x.payer_id for x in incoming))
    items: dict[int, OpenItem] = {}
    records: dict[int, Any] = {}
    payer_items: dict[str, list[OpenItem]] = {}
    for payer_id, recs in by_payer.items():
        payer_items[payer_id] = []
        for r in recs:
            it = to_item(r)
            items[r.id] = it
            records[r.id] = r
            payer_items[payer_id].append(it)
    alloc_rows: list[dict[str, object]] = []
    interest_paid: dict[int, int] = defaultdict(int)
    credit: dict[str, int] = defaultdict(int)
    leftover: dict[str, int] = defaultdict(int)
    for inc in incoming:
        live = [it for it in payer_items.get(inc.payer_id, []) if it.principal or it.interest_owed]
        if inc.kind_prefix == "correction":
            targets = [it for it in live if it.charge_id in inc.indicated]
            result = reduce_principal(inc.amount, targets)
        else:
            result = allocate(inc.amount, inc.paid_on, live, ctx.regime, inc.indicated)
        for a in result.applied:
            alloc_rows.append(
                {
                    "payer_id": inc.payer_id,
                    "payment_id": inc.payment_id,
                    "receivable_id": a.receivable_id,
                    "kind": a.kind if not inc.kind_prefix else f"{inc.kind_prefix}:{a.kind}"[:20],
                    "amount_grosze": a.amount,
                    "booked_on": inc.paid_on,
                    "module": a.module,
                }
            )
            if a.kind == "interest":
                interest_paid[a.receivable_id] += a.amount
        leftover[inc.payer_id] += result.credit
        if result.credit and inc.keep_credit:
            credit[inc.payer_id] += result.credit
            alloc_rows.append(
                {
                    "payer_id": inc.payer_id,
                    "payment_id": inc.payment_id,
                    "receivable_id": None,
                    "kind": "credit",
                    "amount_grosze": result.credit,
                    "booked_on": inc.paid_on,
                    "module": "",
                }
            )
    touched = {
        int(str(row["receivable_id"])) for row in alloc_rows if row["receivable_id"] is not None
    }
    await insert_rows(session, Allocation.__table__, alloc_rows)  # type: ignore[arg-type]
    changes = []
    for rid in touched:
        it, rec = items[rid], records[rid]
        changes.append(
            {
                "id": rid,
                "principal_paid_grosze": rec.amount_grosze - it.principal,
                "interest_owed_grosze": it.interest_owed,
                "interest_paid_grosze": rec.interest_paid_grosze + interest_paid.get(rid, 0),
                "interest_from": it.interest_from,
                "open": bool(it.principal or it.interest_owed),
            }
        )
    if changes and not await update_rows(session, Receivable.__table__, changes):  # type: ignore[arg-type]
        await session.execute(update(Receivable), changes)
    await add_credit(session, credit)
    return dict(leftover)


async def add_credit(session: AsyncSession, amounts: dict[str, int]) -> None:
    """Add to (or, negative, take from) payers' credit."""
    rows = [{"id": p, "credit_grosze": a} for p, a in amounts.items() if a]
    if not rows or await update_rows(session, Payer.__table__, rows, add=["credit_grosze"]):  # type: ignore[arg-type]
        return
    for r in rows:
        await session.execute(
            update(Payer)
            .where(Payer.id == r["id"])
            .values(credit_grosze=Payer.credit_grosze + r["credit_grosze"])
        )


async def use_credit(
    session: AsyncSession, ctx: Context, payer_ids: Iterable[str], on: date
) -> None:
    """Apply payers' credit (overpayments) to their open items, e.g. a newly booked charge."""
    ids = sorted(set(payer_ids))
    with_credit: dict[str, int] = {}
    for i in range(0, len(ids), 1000):
        rows = await session.execute(
            select(Payer.id, Payer.credit_grosze).where(
                one_of(session, Payer.id, ids[i : i + 1000]), Payer.credit_grosze > 0
            )
        )
        with_credit.update({p: c for p, c in rows.all()})
    if not with_credit:
        return
    incoming = [
        Incoming(p, c, on, kind_prefix="credit_use", keep_credit=False)
        for p, c in with_credit.items()
    ]
    left = await apply(session, ctx, incoming)
    await add_credit(session, {p: left.get(p, 0) - had for p, had in with_credit.items()})
