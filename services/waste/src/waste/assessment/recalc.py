"""Recalculation after a declaration or rate change: installments not yet due, corrections, notices."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.messaging.outbox import Outbox
from waste.assessment import fees
from waste.assessment.context import WaterSource, YearContext, confirmed_versions, year_context
from waste.assessment.fees import Planned
from waste.assessment.models import AssessmentRun, Installment, InstallmentCharge
from waste.assessment.service import DeclarationRef, base_key, describe, installment_title
from waste.declarations.models import Declaration, DeclarationVersion
from waste.messaging.charges import ChargeOut, queue_charges
from waste.properties.models import Property

NOTICE_PAYMENT_DAYS = 14


@dataclass
class RecalcResult:
    installments_changed: int = 0
    difference_grosze: int = 0
    notices: int = 0

    def add(self, other: RecalcResult) -> None:
        self.installments_changed += other.installments_changed
        self.difference_grosze += other.difference_grosze
        self.notices += other.notices


async def assessed_years(session: AsyncSession, from_year: int) -> list[int]:
    rows = await session.execute(
        select(AssessmentRun.year)
        .where(AssessmentRun.year >= from_year)
        .order_by(AssessmentRun.year)
    )
    return [int(y) for y in rows.scalars()]


async def _ref(session: AsyncSession, declaration_id: str) -> DeclarationRef:
    row = (
        await session.execute(
            select(Declaration.id, Declaration.payer_id, Declaration.property_id, Property.address)
            .join(Property, Property.id == Declaration.property_id)
            .where(Declaration.id == declaration_id)
        )
    ).one()
    return DeclarationRef(*row)


async def recalculate_declaration(
    session: AsyncSession,
    outbox: Outbox,
    ctx: YearContext,
    ref: DeclarationRef,
    *,
    today: date,
    cause: str,
) -> RecalcResult:
    """Bring the installments of ctx.year in line with the declaration's versions and the rates."""
    versions = (await confirmed_versions(session, [ref.id], ctx.year)).get(ref.id, [])
    plan = await ctx.plan(ref.payer_id, versions)
    if plan.problems:
        return RecalcResult()
    existing = {
        i.number: i
        for i in (
            await session.execute(
                select(Installment).where(
                    Installment.declaration_id == ref.id, Installment.year == ctx.year
                )
            )
        ).scalars()
    }
    booked = {n: (i.due_date, i.amount_grosze) for n, i in existing.items()}
    changes = fees.recalculate(plan, booked, today)
    result = RecalcResult()
    charges: list[ChargeOut] = []
    now = datetime.now(UTC)
    for ch in changes:
        planned = Planned(ch.number, ch.due_date, ch.period_from, ch.period_to, ch.target_grosze)
        if ch.create:
            inst = Installment(
                id=str(uuid.uuid4()),
                declaration_id=ref.id,
                payer_id=ref.payer_id,
                property_id=ref.property_id,
                year=ctx.year,
                number=ch.number,
                due_date=ch.due_date,
                period_from=ch.period_from,
                period_to=ch.period_to,
                amount_grosze=ch.target_grosze,
                created_at=now,
            )
            session.add(inst)
            await session.flush()
            key, kind, title = base_key(ref.id, ctx.year, ch.number), "installment", ""
        else:
            inst = existing[ch.number]
            inst.amount_grosze = ch.target_grosze
            seq = await _charge_count(session, inst.id)
            key = f"{base_key(ref.id, ctx.year, ch.number)}:k{seq}"
            kind, title = "fee_notice", notice_title(ctx.year, ch.number)
        due = ch.due_date if ch.due_date > today else today + timedelta(days=NOTICE_PAYMENT_DAYS)
        amount = ch.delta_grosze
        session.add(
            InstallmentCharge(
                idempotency_key=key,
                installment_id=inst.id,
                kind="installment" if kind == "installment" else "correction",
                amount_grosze=amount,
                due_date=due,
                cause=cause[:200],
                created_at=now,
            )
        )
        result.installments_changed += 1
        result.difference_grosze += amount
        # A decrease is a negative fee notice: billing lowers the installment's unpaid part
        # (named by its key) and keeps what was already paid as the payer's credit.
        charges.append(
            ChargeOut(
                ref.payer_id,
                key,
                kind,
                title or installment_title(ctx.year, ch.number),
                describe(ref, planned),
                amount,
                due,
                ch.period_from,
                ch.period_to,
                base_key(ref.id, ctx.year, ch.number) if amount < 0 else "",
            )
        )
        result.notices += kind == "fee_notice"
    if charges:
        await queue_charges(session, outbox, charges)
    return result


def notice_title(year: int, number: int) -> str:
    what = "ryczałtu" if number == fees.COTTAGE else f"raty {number}/{year}"
    return f"Zawiadomienie o zmianie wysokości opłaty za odpady — korekta {what}"


async def _charge_count(session: AsyncSession, installment_id: str) -> int:
    return int(
        (
            await session.execute(
                select(func.count())
                .select_from(InstallmentCharge)
                .where(InstallmentCharge.installment_id == installment_id)
            )
        ).scalar_one()
    )


async def after_declaration_change(
    session: AsyncSession,
    outbox: Outbox,
    declaration_id: str,
    applies_from: date,
    water: WaterSource,
    *,
    today: date,
    cause: str,
) -> RecalcResult:
    """Recalculate every assessed year from the one the change applies in."""
    result = RecalcResult()
    ref = await _ref(session, declaration_id)
    for year in await assessed_years(session, applies_from.year):
        ctx = await year_context(session, year, water)
        result.add(
            await recalculate_declaration(session, outbox, ctx, ref, today=today, cause=cause)
        )
    return result


async def after_rate_change(
    session: AsyncSession, outbox: Outbox, year: int, water: WaterSource, *, today: date, cause: str
) -> RecalcResult:
    """Recalculate every declaration assessed in `year` (a new rate needs no new declaration)."""
    result = RecalcResult()
    if year not in await assessed_years(session, year):
        return result
    ctx = await year_context(session, year, water)
    ids: Sequence[str] = list(
        (
            await session.execute(
                select(DeclarationVersion.declaration_id)
                .where(
                    DeclarationVersion.status == "confirmed",
                    DeclarationVersion.applies_from <= date(year, 12, 31),
                )
                .distinct()
            )
        ).scalars()
    )
    for declaration_id in ids:
        ref = await _ref(session, declaration_id)
        result.add(
            await recalculate_declaration(session, outbox, ctx, ref, today=today, cause=cause)
        )
    return result


async def send_held_credits(session: AsyncSession, outbox: Outbox) -> int:
    """Send decreases held as credits by earlier versions (which did not send them) to billing
    as negative fee notices; new decreases are sent when they are made."""
    rows = (
        await session.execute(
            select(InstallmentCharge, Installment, Property.address)
            .join(Installment, Installment.id == InstallmentCharge.installment_id)
            .join(Property, Property.id == Installment.property_id)
            .where(InstallmentCharge.kind == "credit")
            .order_by(InstallmentCharge.created_at)
        )
    ).all()
    charges = []
    for credit, inst, address in rows:
        ref = DeclarationRef(inst.declaration_id, inst.payer_id, inst.property_id, address)
        planned = Planned(
            inst.number, inst.due_date, inst.period_from, inst.period_to, inst.amount_grosze
        )
        charges.append(
            ChargeOut(
                inst.payer_id,
                credit.idempotency_key,
                "fee_notice",
                notice_title(inst.year, inst.number),
                describe(ref, planned),
                credit.amount_grosze,
                credit.due_date,
                inst.period_from,
                inst.period_to,
                base_key(inst.declaration_id, inst.year, inst.number),
            )
        )
        credit.kind = "correction"
    if charges:
        await queue_charges(session, outbox, charges)
    return len(charges)
