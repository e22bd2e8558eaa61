"""Reminder run (upomnienia, tax-like regime) and the arrears report per module."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from billing.context import Context
from billing.documents import service as documents
from billing.documents.models import Document
from billing.documents.schemas import Draft
from billing.ledger import service as ledger
from billing.ledger.models import Receivable
from billing.ledger.queries import interest_of
from billing.payers.models import Payer


@dataclass
class Arrears:
    payer_id: str
    module: str
    payer_name: str = ""
    overdue: int = 0
    interest: int = 0
    reminder_costs: int = 0
    oldest: date | None = None
    items: list[tuple[Receivable, str, int]] = field(default_factory=list)
    document: Draft | None = None


async def arrears(session: AsyncSession, ctx: Context, module: str, as_of: date) -> list[Arrears]:
    """Payers with overdue amounts per module, with interest as of the date."""
    stmt = (
        select(Receivable, Document.number, Payer.name)
        .outerjoin(Document, Document.id == Receivable.document_id)
        .join(Payer, Payer.id == Receivable.payer_id)
        .where(Receivable.open.is_(True), Receivable.due_date < as_of)
        .order_by(Receivable.payer_id, Receivable.module, Receivable.due_date)
    )
    if module:
        stmt = stmt.where(Receivable.module == module)
    out: dict[tuple[str, str], Arrears] = {}
    for r, number, name in (await session.execute(stmt)).all():
        a = out.setdefault((r.payer_id, r.module), Arrears(r.payer_id, r.module, name or ""))
        left = r.amount_grosze - r.principal_paid_grosze
        if r.kind == "reminder_cost":
            a.reminder_costs += left
            continue
        interest = interest_of(ctx, r, as_of)
        a.overdue += left
        a.interest += interest
        a.oldest = min(a.oldest or r.due_date, r.due_date)
        a.items.append((r, number or "", interest))
    return [a for a in out.values() if a.overdue > 0]


async def run(
    session: AsyncSession,
    ctx: Context,
    *,
    as_of: date,
    module: str,
    dry_run: bool,
    min_arrears: int,
    user: str,
) -> list[Arrears]:
    """Issue an upomnienie per payer and module in the tax-like regime for items not reminded yet."""
    found = []
    for a in await arrears(session, ctx, module, as_of):
        if ctx.modules.regime(a.module) != "tax" or a.overdue < min_arrears:
            continue
        if all(r.reminded_on is not None for r, _, _ in a.items):
            continue
        found.append(a)
    if dry_run or not found:
        return found
    drafts = []
    for a in found:
        payer = await session.get(Payer, a.payer_id)
        snap = documents.snapshot(
            ctx,
            {
                "name": payer.name if payer else "",
                "address": payer.address if payer else "",
                "nip": payer.nip if payer else "",
                "account": payer.virtual_account if payer else "",
            },
        )
        snap["cost"] = ctx.reminder_cost
        snap["arrears"] = [
            {
                "title": r.title,
                "number": n,
                "due_date": r.due_date.isoformat(),
                "principal": r.amount_grosze - r.principal_paid_grosze,
                "interest": i,
            }
            for r, n, i in a.items
        ]
        total = a.overdue + a.interest + ctx.reminder_cost
        a.document = Draft(
            id=str(uuid.uuid4()),
            payer_id=a.payer_id,
            module=a.module,
            kind="reminder",
            title=f"Upomnienie — zaległości ({a.module})",
            issued_on=as_of,
            gross_grosze=total,
            due_date=as_of + timedelta(days=7),
            snapshot=snap,
            created_by=user,
        )
        drafts.append(a.document)
    await documents.issue(session, ctx, drafts)
    await ledger.add_receivables(
        session,
        [
            ledger.receivable_row(
                payer_id=a.payer_id,
                module=a.module,
                kind="reminder_cost",
                charge_id=None,
                document_id=a.document.id if a.document else None,
                title="Koszty upomnienia",
                booked_on=as_of,
                due_date=as_of,
                amount=ctx.reminder_cost,
            )
            for a in found
        ],
    )
    ids = [r.id for a in found for r, _, _ in a.items]
    for i in range(0, len(ids), 1000):
        await session.execute(
            update(Receivable).where(Receivable.id.in_(ids[i : i + 1000])).values(reminded_on=as_of)
        )
    return found
