"""Settlements in the database: the state a new invoice builds on, storing, listing, charts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from water.access import Scope
from water.premises.models import Meter, Premises
from water.readings.rules import MeterInfo
from water.settlements.models import Settlement
from water.settlements.plan import (
    PastSettlement,
    Plan,
    PremisesState,
    line_from_json,
    line_to_json,
)
from water.tariffs import service as tariffs
from water.tariffs.prices import PriceTable
from water.tariffs.split import days_inclusive, split_by_days

HISTORY_SIZE = 4


def meter_info(m: Meter) -> MeterInfo:
    return MeterInfo(
        id=m.id,
        kind=m.kind,
        serial=m.serial,
        installed_on=m.installed_on,
        initial_m3=m.initial_m3,
        removed_on=m.removed_on,
        final_m3=m.final_m3,
        digits=m.digits,
    )


def past(s: Settlement) -> PastSettlement:
    return PastSettlement(
        id=s.id,
        kind=s.kind,
        period_from=s.period_from,
        period_to=s.period_to,
        water_m3=Decimal(s.water_m3),
        garden_m3=Decimal(s.garden_m3) if s.garden_m3 is not None else None,
        sewage_m3=Decimal(s.sewage_m3),
        end_values={k: int(v) for k, v in (s.end_values or {}).items()},
        lines=tuple(line_from_json(x) for x in s.lines),
        gross_grosze=s.gross_grosze,
        reading_id=s.reading_id or "",
    )


async def load_states(
    session: AsyncSession, premises: Sequence[Premises]
) -> dict[str, PremisesState]:
    """The state of each premises: meters, last actual invoice, open estimates, history."""
    ids = [p.id for p in premises]
    if not ids:
        return {}
    rows = (
        await session.execute(
            select(Settlement)
            .where(
                Settlement.premises_id.in_(ids),
                or_(Settlement.kind == "actual", Settlement.settled_by_id.is_(None)),
            )
            .order_by(Settlement.premises_id, Settlement.period_to.desc())
        )
    ).scalars()
    actual: dict[str, list[PastSettlement]] = {}
    estimates: dict[str, list[PastSettlement]] = {}
    for s in rows:
        bucket = actual if s.kind == "actual" else estimates
        items = bucket.setdefault(s.premises_id, [])
        if s.kind != "actual" or len(items) < HISTORY_SIZE:
            items.append(past(s))
    states = {}
    for p in premises:
        hist = actual.get(p.id, [])
        states[p.id] = PremisesState(
            premises_id=p.id,
            payer_id=p.payer_id,
            group=p.group_code,
            sewer=p.sewer,
            meters=tuple(meter_info(m) for m in p.meters),
            last_actual=hist[0] if hist else None,
            open_estimates=tuple(reversed(estimates.get(p.id, []))),
            history=tuple(hist),
        )
    return states


async def load_state(session: AsyncSession, premises: Premises) -> PremisesState:
    return (await load_states(session, [premises]))[premises.id]


async def price_tables(session: AsyncSession, groups: Iterable[str]) -> dict[str, PriceTable]:
    return await tariffs.price_tables(session, groups)


def title_for(premises: Premises, plan: Plan, *, estimated: bool) -> str:
    kind = "szacunkowa " if estimated else ""
    return (
        f"Faktura {kind}za wodę i ścieki {plan.period_from:%d.%m.%Y}–{plan.period_to:%d.%m.%Y}, "
        f"{premises.number}, {premises.address}"
    )[:300]


@dataclass(frozen=True)
class NewSettlement:
    """A stored settlement and the plan it came from (for the charge event)."""

    row: Settlement
    plan: Plan


def settlement_row(
    premises: Premises, reading_id: str, plan: Plan, *, kind: str, now: datetime
) -> Settlement:
    return Settlement(
        id=str(uuid.uuid4()),
        premises_id=premises.id,
        payer_id=premises.payer_id,
        reading_id=reading_id,
        kind=kind,
        period_from=plan.period_from,
        period_to=plan.period_to,
        water_m3=plan.consumption.main,
        garden_m3=plan.consumption.garden,
        sewage_m3=sum(
            (x.quantity for x in plan.invoice.lines if x.component == "sewage" and x.quantity > 0),
            Decimal(0),
        ),
        net_grosze=plan.invoice.net_grosze,
        vat_grosze=plan.invoice.vat_grosze,
        gross_grosze=plan.invoice.gross_grosze,
        lines=[line_to_json(x) for x in plan.invoice.lines],
        end_values=plan.end_values,
        title=title_for(premises, plan, estimated=kind == "estimated"),
        settled_by_id=None,
        created_at=now,
    )


async def store(session: AsyncSession, rows: Sequence[NewSettlement]) -> None:
    """Insert settlements and mark the estimates they settle."""
    session.add_all([r.row for r in rows])
    marks = [{"id": est_id, "settled_by_id": r.row.id} for r in rows for est_id in r.plan.settles]
    await session.flush()
    if marks:
        await session.execute(update(Settlement), marks)


def _visible(stmt, scope: Scope, payer_id: str, premises_id: str):  # type: ignore[no-untyped-def]
    if payer_id:
        scope.require_payer(payer_id)
        stmt = stmt.where(Settlement.payer_id == payer_id)
    elif not scope.is_staff:
        stmt = stmt.where(Settlement.payer_id.in_(sorted(scope.payers or ())))
    if premises_id:
        stmt = stmt.where(Settlement.premises_id == premises_id)
    return stmt


async def list_settlements(
    session: AsyncSession, scope: Scope, *, payer_id: str = "", premises_id: str = ""
) -> list[tuple[Settlement, str]]:
    """Invoices of a payer or premises, newest first, with the premises number."""
    stmt = select(Settlement, Premises.number).join(Premises, Premises.id == Settlement.premises_id)
    stmt = _visible(stmt, scope, payer_id, premises_id).order_by(
        Settlement.period_to.desc(), Settlement.created_at.desc()
    )
    return [(s, n) for s, n in (await session.execute(stmt)).all()]


def effective(settlements: Iterable[Settlement]) -> list[Settlement]:
    """Actual invoices plus the estimates no actual reading has settled yet."""
    return [s for s in settlements if s.kind == "actual" or s.settled_by_id is None]


async def consumption_by_month(
    session: AsyncSession,
    scope: Scope,
    *,
    payer_id: str,
    premises_id: str,
    period_from: date,
    period_to: date,
) -> tuple[Decimal, list[tuple[int, int, Decimal]]]:
    """Water used in [period_from, period_to] per month (invoices spread evenly over days)."""
    stmt = _visible(select(Settlement), scope, payer_id, premises_id).where(
        Settlement.period_to >= period_from, Settlement.period_from <= period_to
    )
    months: dict[tuple[int, int], Decimal] = {}
    for s in effective((await session.execute(stmt)).scalars()):
        cuts = [period_from, period_to + timedelta(days=1)]
        day = date(s.period_from.year, s.period_from.month, 1)
        while day <= s.period_to:
            cuts.append(day)
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        for seg in split_by_days(Decimal(s.water_m3), s.period_from, s.period_to, cuts):
            if period_from <= seg.start <= period_to:
                key = (seg.start.year, seg.start.month)
                months[key] = months.get(key, Decimal(0)) + seg.quantity
    ordered = [(y, m, q) for (y, m), q in sorted(months.items())]
    return sum((q for _, _, q in ordered), Decimal(0)), ordered


async def chart_points(
    session: AsyncSession, scope: Scope, *, payer_id: str, premises_id: str
) -> list[tuple[Settlement, Decimal, int]]:
    """Per invoiced period, oldest first: the invoice, m³ per day and the period's full fee.

    An actual invoice that settled estimates shows what the period cost in total (its own
    gross plus the estimated invoices it replaced); the replaced estimates are left out.
    """
    rows = [
        s
        for s, _ in await list_settlements(
            session, scope, payer_id=payer_id, premises_id=premises_id
        )
    ]
    replaced: dict[str, int] = {}
    for s in rows:
        if s.kind == "estimated" and s.settled_by_id:
            replaced[s.settled_by_id] = replaced.get(s.settled_by_id, 0) + s.gross_grosze
    out = []
    for s in sorted(rows, key=lambda r: (r.period_to, r.created_at)):
        if s.kind == "estimated" and s.settled_by_id is not None:
            continue
        days = days_inclusive(s.period_from, s.period_to)
        per_day = (Decimal(s.water_m3) / days).quantize(Decimal("0.001"))
        out.append((s, per_day, s.gross_grosze + replaced.get(s.id, 0)))
    return out


async def count_for(session: AsyncSession, premises_id: str) -> int:
    stmt = select(func.count()).select_from(Settlement).where(Settlement.premises_id == premises_id)
    return int((await session.execute(stmt)).scalar_one())


def now_utc() -> datetime:
    return datetime.now(UTC)
