"""Readings: check and preview, submit (idempotent), list, and clerk decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import Conflict, DomainError, InvalidArgument, NotFound
from water.access import Scope
from water.policy import Policy, today
from water.premises import service as premises_service
from water.premises.models import Premises
from water.readings.models import Reading, ReadingValue
from water.readings.rules import (
    Warning,
    check_date,
    check_meters,
    check_not_lower,
    high_consumption,
    parse_m3,
    value_field,
)
from water.settlements import service as settlements
from water.settlements.models import Settlement
from water.settlements.plan import Plan, PremisesState, plan_actual
from water.tariffs import service as tariffs
from water.tariffs.prices import PriceTable

NOT_FOUND = "Nie znaleziono odczytu."


@dataclass(frozen=True)
class ValueInput:
    meter_id: str
    raw: str
    rollover: bool = False


@dataclass
class Checked:
    """A reading that passed every rule, with its invoice preview and warnings."""

    premises: Premises
    state: PremisesState
    reading_date: date
    values: dict[str, int]
    previous: dict[str, int]
    rollovers: list[str]
    plan: Plan
    warnings: list[Warning] = field(default_factory=list)


@dataclass
class Decided:
    """A reading decided now: what the events (charge, ReadingDecided) are built from."""

    reading: Reading
    premises: Premises
    decision: str  # accepted | corrected | rejected | estimated
    settlement: Settlement | None = None
    plan: Plan | None = None


@dataclass
class Submitted:
    reading: Any  # Reading, or a ReadingView saved by a batch; None when not saved
    checked: Checked | None
    warnings: list[Warning]
    needs_confirmation: bool = False
    repeated: bool = False
    decided: list[Decided] = field(default_factory=list)


def check(
    premises: Premises,
    state: PremisesState,
    prices: PriceTable,
    reading_date: date | None,
    inputs: Sequence[ValueInput],
    policy: Policy,
    *,
    allow_rollover: bool,
    on: date | None = None,
) -> Checked:
    """Every rule of a reading, then the invoice it would produce."""
    if reading_date is None:
        raise InvalidArgument("Podaj datę odczytu.", field="reading_date")
    check_date(
        reading_date,
        today=on or today(),
        last_date=state.start_date if state.last_actual else None,
    )
    meters = {m.id: m for m in state.meters}
    seen: set[str] = set()
    for item in inputs:
        if item.meter_id not in meters:
            raise NotFound(premises_service.METER_NOT_FOUND)
        if item.meter_id in seen:
            raise InvalidArgument("Wodomierz podano dwa razy.", field=value_field(item.meter_id))
        seen.add(item.meter_id)
    given = {i.meter_id: i for i in inputs if i.raw.strip()}
    active = check_meters(reading_date, state.meters, given)
    values: dict[str, int] = {}
    previous: dict[str, int] = {}
    rollovers: list[str] = []
    for m in active:
        entry = given.get(m.id)
        if entry is None:
            raise InvalidArgument(f"Podaj stan: {m.label}.", field=value_field(m.id))
        value = parse_m3(entry.raw, field=value_field(m.id), digits=m.digits)
        rollover = entry.rollover and allow_rollover
        previous[m.id] = state.previous_value(m)
        check_not_lower(m, value, previous[m.id], rollover=rollover)
        values[m.id] = value
        if rollover:
            rollovers.append(m.id)
    plan = plan_actual(
        state, prices, reading_date, values, rollovers=rollovers, vat_rate=policy.vat_rate
    )
    days = (reading_date - state.start_date).days
    warnings = [
        w
        for kind, used in plan.per_kind.items()
        if (
            w := high_consumption(
                kind, used, days, average_daily=state.average_daily(kind), policy=policy
            )
        )
    ]
    return Checked(premises, state, reading_date, values, previous, rollovers, plan, warnings)


async def check_for(
    session: AsyncSession,
    scope: Scope,
    premises_id: str,
    reading_date: date | None,
    inputs: Sequence[ValueInput],
    policy: Policy,
) -> Checked:
    premises = await premises_service.get_premises(session, scope, premises_id)
    state = await settlements.load_state(session, premises)
    prices = (await tariffs.cached_price_tables(session, [premises.group_code]))[
        premises.group_code
    ]
    return check(
        premises, state, prices, reading_date, inputs, policy, allow_rollover=scope.is_staff
    )


def _settle(reading: Any, checked: Checked, decision: str, by: str, now: datetime) -> Decided:
    row = settlements.settlement_row(
        checked.premises, reading.id, checked.plan, kind="actual", now=now
    )
    reading.status = decision
    reading.decided_at = now
    reading.decided_by = by[:80]
    reading.settlement_id = row.id
    return Decided(reading, checked.premises, decision, row, checked.plan)


async def store_decided(session: AsyncSession, decided: Sequence[Decided]) -> None:
    """Write the settlements of decided readings (one multi-row insert)."""
    rows = [
        settlements.NewSettlement(d.settlement, d.plan)
        for d in decided
        if d.settlement is not None and d.plan is not None
    ]
    await settlements.store(session, rows)
    await session.flush()


async def _pending_for_update(session: AsyncSession, ids: Sequence[str]) -> list[Reading]:
    stmt = select(Reading).where(Reading.id.in_(list(ids)), Reading.status == "pending")
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list((await session.execute(stmt)).scalars())


async def accept_many(
    session: AsyncSession, ids: Sequence[str], *, by: str, policy: Policy
) -> tuple[list[Decided], list[tuple[str, str]]]:
    """Accept pending readings in one transaction: invoices computed in bulk, per-reading errors."""
    readings = await _pending_for_update(session, ids)
    found = {r.id for r in readings}
    failures = [
        (i, "Odczyt został już rozpatrzony albo nie istnieje.") for i in ids if i not in found
    ]
    premises = {
        p.id: p
        for p in (
            await session.execute(
                select(Premises).where(Premises.id.in_({r.premises_id for r in readings}))
            )
        ).scalars()
    }
    states = await settlements.load_states(session, list(premises.values()))
    prices = await settlements.price_tables(session, {p.group_code for p in premises.values()})
    now = datetime.now(UTC)
    decided: list[Decided] = []
    used: set[str] = set()
    for r in sorted(readings, key=lambda r: (r.reading_date, r.created_at)):
        p = premises[r.premises_id]
        if p.id in used:
            failures.append((r.id, "Inny odczyt tego punktu jest rozpatrywany w tej samej partii."))
            continue
        inputs = [ValueInput(v.meter_id, str(v.value_m3), v.rollover) for v in r.values]
        try:
            checked = check(
                p,
                states[p.id],
                prices[p.group_code],
                r.reading_date,
                inputs,
                policy,
                allow_rollover=True,
                on=max(today(), r.reading_date),
            )
        except DomainError as exc:
            failures.append((r.id, exc.message))
            continue
        used.add(p.id)
        decided.append(_settle(r, checked, "accepted", by, now))
    await store_decided(session, decided)
    return decided, failures


async def decide(
    session: AsyncSession,
    *,
    reading_id: str,
    decision: str,
    inputs: Sequence[ValueInput],
    reason: str,
    by: str,
    policy: Policy,
) -> Decided:
    """A clerk accepts, corrects (with a reason the resident sees) or rejects a reading."""
    if decision not in ("accept", "correct", "reject"):
        raise InvalidArgument(
            "Wybierz decyzję: przyjęcie, korekta albo odrzucenie.", field="decision"
        )
    reason = reason.strip()
    if decision in ("correct", "reject") and not reason:
        raise InvalidArgument("Podaj uzasadnienie — zobaczy je mieszkaniec.", field="reason")
    reading = await session.get(Reading, reading_id)
    if reading is None:
        raise NotFound(NOT_FOUND)
    if reading.status != "pending":
        raise Conflict("Ten odczyt został już rozpatrzony.", field="reading_id")
    if decision == "accept":
        decided, failures = await accept_many(session, [reading_id], by=by, policy=policy)
        if failures:
            raise Conflict(failures[0][1], field="reading_id")
        return decided[0]
    now = datetime.now(UTC)
    premises = await premises_service.get_premises(session, Scope(by, None), reading.premises_id)
    reading.reason = reason[:2000]
    if decision == "reject":
        reading.status, reading.decided_at, reading.decided_by = "rejected", now, by[:80]
        await session.flush()
        return Decided(reading, premises, "rejected")
    state = await settlements.load_state(session, premises)
    prices = (await settlements.price_tables(session, [premises.group_code]))[premises.group_code]
    checked = check(
        premises,
        state,
        prices,
        reading.reading_date,
        inputs,
        policy,
        allow_rollover=True,
        on=max(today(), reading.reading_date),
    )
    by_meter = {v.meter_id: v for v in reading.values}
    for mid, value in checked.values.items():
        if mid in by_meter:
            by_meter[mid].value_m3 = value
            by_meter[mid].rollover = mid in checked.rollovers
            by_meter[mid].previous_m3 = checked.previous[mid]
        else:
            reading.values.append(
                ReadingValue(
                    meter_id=mid,
                    value_m3=value,
                    submitted_m3=value,
                    previous_m3=checked.previous[mid],
                    rollover=mid in checked.rollovers,
                )
            )
    result = _settle(reading, checked, "corrected", by, now)
    await store_decided(session, [result])
    return result
