"""The annual assessment: one batch of declarations per transaction, one charge per installment."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.db import Database
from portal_platform.errors import InvalidArgument
from portal_platform.logging import get_logger
from portal_platform.messaging.outbox import Outbox
from waste.assessment.context import WaterSource, YearContext, confirmed_versions, year_context
from waste.assessment.fees import COTTAGE, Planned
from waste.assessment.models import AssessmentRun, Installment, InstallmentCharge
from waste.bulk import insert_rows
from waste.declarations.models import Declaration, DeclarationVersion
from waste.messaging.charges import ChargeOut, queue_charges
from waste.properties.models import Property

log = get_logger(__name__)
MAX_PROBLEMS = 50
MONTHS = (
    "styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec",
    "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień",
)  # fmt: skip


@dataclass
class Summary:
    year: int
    payers: int = 0
    declarations: int = 0
    installments: int = 0
    total_grosze: int = 0
    already_assessed: int = 0
    charges_requested: int = 0
    problems: list[str] = field(default_factory=list)
    _payers: set[str] = field(default_factory=set, repr=False)

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)


@dataclass(frozen=True)
class DeclarationRef:
    id: str
    payer_id: str
    property_id: str
    address: str


def base_key(declaration_id: str, year: int, number: int) -> str:
    return f"waste:{declaration_id}:{year}:{number}"


def installment_title(year: int, number: int) -> str:
    if number == COTTAGE:
        return f"Opłata za odpady komunalne — ryczałt roczny {year} (domek letniskowy)"
    return f"Opłata za odpady komunalne — rata {number}/{year}"


def describe(ref: DeclarationRef, p: Planned) -> str:
    months = MONTHS[p.period_from.month - 1]
    if p.period_to.month != p.period_from.month:
        months += f"–{MONTHS[p.period_to.month - 1]}"
    return f"{ref.address}: {months} {p.period_from.year}"


def check_year(year: int) -> None:
    if not 2000 <= year <= 2200:
        raise InvalidArgument("Podaj rok wymiaru, np. 2027.", field="year")


async def declaration_batches(
    db: Database, year: int, batch: int
) -> AsyncIterator[list[DeclarationRef]]:
    """Declarations with a confirmed version in force by the end of `year`, in id order.

    Two short statements per batch: the next ids by the primary key alone, then those rows
    with their property and version check. One statement joining everything made the planner
    walk the versions from the start for every batch (quadratic in the number of
    declarations, and worse before the tables were analysed).
    """
    last = ""
    while True:
        async with db.sessions() as session:
            ids = list(
                (
                    await session.execute(
                        select(Declaration.id)
                        .where(Declaration.id > last)
                        .order_by(Declaration.id)
                        .limit(batch)
                    )
                ).scalars()
            )
            if not ids:
                return
            has_version = exists().where(
                DeclarationVersion.declaration_id == Declaration.id,
                DeclarationVersion.status == "confirmed",
                DeclarationVersion.applies_from <= date(year, 12, 31),
            )
            rows = (
                await session.execute(
                    select(
                        Declaration.id,
                        Declaration.payer_id,
                        Declaration.property_id,
                        Property.address,
                    )
                    .join(Property, Property.id == Declaration.property_id)
                    .where(Declaration.id.in_(ids), has_version)
                    .order_by(Declaration.id)
                )
            ).all()
        if rows:
            yield [DeclarationRef(*r) for r in rows]
        last = ids[-1]


async def assessed_declarations(
    session: AsyncSession, ids: Sequence[str], year: int
) -> dict[str, int]:
    rows = await session.execute(
        select(Installment.declaration_id, func.count())
        .where(Installment.declaration_id.in_(list(ids)), Installment.year == year)
        .group_by(Installment.declaration_id)
    )
    return {r[0]: int(r[1]) for r in rows}


async def _assess_batch(
    session: AsyncSession,
    ctx: YearContext,
    refs: Sequence[DeclarationRef],
    summary: Summary,
    outbox: Outbox | None,
) -> None:
    """Plan each declaration of the batch; with an outbox, book the new installments too."""
    done = await assessed_declarations(session, [r.id for r in refs], ctx.year)
    todo = [r.id for r in refs if r.id not in done]
    versions = await confirmed_versions(session, todo, ctx.year) if todo else {}
    now = datetime.now(UTC)
    rows: list[dict[str, object]] = []
    pending: dict[str, tuple[DeclarationRef, Planned]] = {}
    for ref in refs:
        if ref.id in done:
            summary.already_assessed += done[ref.id]
            continue
        plan = await ctx.plan(ref.payer_id, versions.get(ref.id, []))
        if plan.problems:
            summary.problem(f"{ref.property_id} ({ref.address}): {plan.problems[0]}")
            continue
        if not plan.installments:
            continue
        summary.declarations += 1
        summary._payers.add(ref.payer_id)
        summary.payers = len(summary._payers)
        for p in plan.installments:
            summary.installments += 1
            summary.total_grosze += p.amount_grosze
            row_id = str(uuid.uuid4())
            pending[row_id] = (ref, p)
            rows.append(
                {
                    "id": row_id,
                    "declaration_id": ref.id,
                    "payer_id": ref.payer_id,
                    "property_id": ref.property_id,
                    "year": ctx.year,
                    "number": p.number,
                    "due_date": p.due_date,
                    "period_from": p.period_from,
                    "period_to": p.period_to,
                    "amount_grosze": p.amount_grosze,
                    "created_at": now,
                }
            )
    if outbox is None or not rows:
        return
    await insert_rows(session, Installment.__table__, rows)  # type: ignore[arg-type]
    charges = []
    charge_rows = []
    for row_id, (ref, p) in pending.items():
        key = base_key(ref.id, ctx.year, p.number)
        charge_rows.append(
            {
                "idempotency_key": key,
                "installment_id": row_id,
                "kind": "installment",
                "amount_grosze": p.amount_grosze,
                "due_date": p.due_date,
                "cause": "wymiar roczny",
                "created_at": now,
            }
        )
        charges.append(
            ChargeOut(
                ref.payer_id,
                key,
                "installment",
                installment_title(ctx.year, p.number),
                describe(ref, p),
                p.amount_grosze,
                p.due_date,
                p.period_from,
                p.period_to,
            )
        )
    if charge_rows:
        await insert_rows(session, InstallmentCharge.__table__, charge_rows)  # type: ignore[arg-type]
        await queue_charges(session, outbox, charges)
    summary.charges_requested += len(charges)


async def preview(db: Database, year: int, water: WaterSource, *, batch: int = 1000) -> Summary:
    """What the assessment of `year` would book now (nothing is written)."""
    check_year(year)
    summary = Summary(year)
    async with db.sessions() as session:
        ctx = await year_context(session, year, water)
    async for refs in declaration_batches(db, year, batch):
        async with db.sessions() as session:
            await _assess_batch(session, ctx, refs, summary, None)
    return summary


async def run(
    db: Database, outbox: Outbox, year: int, water: WaterSource, *, actor: str, batch: int = 1000
) -> Summary:
    """Assess `year`: installments and one charge each; a repeat run books nothing twice."""
    check_year(year)
    summary = Summary(year)
    async with db.transaction() as session:
        ctx = await year_context(session, year, water)
        now = datetime.now(UTC)
        run_row = await session.get(AssessmentRun, year)
        if run_row is None:
            session.add(AssessmentRun(year=year, first_run_at=now, last_run_at=now, run_by=actor))
        else:
            run_row.last_run_at = now
            run_row.run_by = actor
    async for refs in declaration_batches(db, year, batch):
        try:
            async with db.transaction() as session:
                await _assess_batch(session, ctx, refs, summary, outbox)
        except IntegrityError:
            # Another run booked some of this batch meanwhile: redo it, skipping those.
            log.info("assessment batch collided with another run; retrying", year=year)
            async with db.transaction() as session:
                await _assess_batch(session, ctx, refs, summary, outbox)
    return summary
