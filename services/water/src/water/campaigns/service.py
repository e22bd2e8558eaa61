"""Reading campaigns: deadlines per group, who has not submitted, estimated readings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import InvalidArgument
from water.policy import Policy, today
from water.premises.models import CustomerGroup, Premises, ReadingDeadline
from water.readings.models import Reading, ReadingValue
from water.readings.rules import ACTUAL_SOURCES, MAIN
from water.readings.service import Decided
from water.settlements import service as settlements
from water.settlements.plan import plan_estimate

COUNTED = ("pending", "accepted", "corrected")


@dataclass(frozen=True)
class Deadline:
    group: str
    day: date
    label: str
    rule_month: int = 0
    rule_day: int = 0


@dataclass(frozen=True)
class Entry:
    premises: Premises
    reading: Reading | None
    estimated: Reading | None

    @property
    def submitted(self) -> bool:
        return self.reading is not None


async def _deadline_rows(session: AsyncSession, group: str = "") -> list[ReadingDeadline]:
    stmt = select(ReadingDeadline)
    if group:
        stmt = stmt.where(ReadingDeadline.group_code == group)
    return list((await session.execute(stmt)).scalars())


def _on(year: int, row: ReadingDeadline) -> date:
    try:
        return date(year, row.month, row.day)
    except ValueError:  # 29 February in a common year
        return date(year, row.month, 28)


async def deadlines(session: AsyncSession, year: int, group: str = "") -> list[Deadline]:
    """The deadlines of a year (all groups or one), in date order."""
    rows = await _deadline_rows(session, group)
    return sorted(
        (Deadline(r.group_code, _on(year, r), r.label, r.month, r.day) for r in rows),
        key=lambda d: (d.day, d.group),
    )


async def next_deadline(session: AsyncSession, group: str, on: date) -> Deadline | None:
    found = [d for y in (on.year, on.year + 1) for d in await deadlines(session, y, group)]
    return next((d for d in sorted(found, key=lambda d: d.day) if d.day >= on), None)


async def window_start(session: AsyncSession, group: str, deadline: date) -> date:
    """The previous deadline of the group: readings dated after it count for this one."""
    rows = await _deadline_rows(session, group)
    days = sorted(_on(y, r) for y in (deadline.year - 1, deadline.year) for r in rows)
    if deadline not in days:
        raise InvalidArgument("To nie jest termin odczytu tej grupy odbiorców.", field="deadline")
    earlier = [d for d in days if d < deadline]
    return earlier[-1] if earlier else deadline - timedelta(days=365)


async def campaign(
    session: AsyncSession, group: str, deadline: date | None
) -> tuple[list[Entry], date]:
    """Every premises of the group with a main meter, and its reading for this deadline."""
    if await session.get(CustomerGroup, group) is None:
        raise InvalidArgument("Wybierz grupę odbiorców.", field="group")
    if deadline is None:
        raise InvalidArgument("Wybierz termin odczytu.", field="deadline")
    start = await window_start(session, group, deadline)
    premises = [
        p
        for p in (
            await session.execute(
                select(Premises).where(Premises.group_code == group).order_by(Premises.number)
            )
        ).scalars()
        if any(
            m.kind == MAIN
            and m.installed_on <= deadline
            and (m.removed_on is None or m.removed_on > start)
            for m in p.meters
        )
    ]
    rows = (
        await session.execute(
            select(Reading)
            .join(Premises, Premises.id == Reading.premises_id)
            .where(
                Premises.group_code == group,
                Reading.reading_date > start,
                Reading.reading_date <= deadline,
                Reading.status.in_(COUNTED),
            )
        )
    ).scalars()
    actual: dict[str, Reading] = {}
    estimated: dict[str, Reading] = {}
    for r in rows:
        if r.source in ACTUAL_SOURCES:
            actual.setdefault(r.premises_id, r)
        elif r.source == "estimated":
            estimated[r.premises_id] = r
    return [Entry(p, actual.get(p.id), estimated.get(p.id)) for p in premises], start


async def payers_without_reading(
    session: AsyncSession, group: str, deadline: date | None
) -> list[str]:
    entries, _ = await campaign(session, group, deadline)
    return sorted({e.premises.payer_id for e in entries if not e.submitted})


async def estimate(
    session: AsyncSession,
    premises: Sequence[Premises],
    deadline: date,
    *,
    by: str,
    policy: Policy,
) -> tuple[list[Decided], list[tuple[str, str]]]:
    """Estimated readings and invoices for premises that gave no reading (one transaction)."""
    if deadline >= today():
        raise InvalidArgument(
            "Odczyty szacunkowe wystawia się po upływie terminu.", field="deadline"
        )
    states = await settlements.load_states(session, premises)
    prices = await settlements.price_tables(session, {p.group_code for p in premises})
    since = deadline - timedelta(days=policy.estimate_history_days)
    now = datetime.now(UTC)
    decided: list[Decided] = []
    skipped: list[tuple[str, str]] = []
    for p in premises:
        state = states[p.id]
        try:
            plan = plan_estimate(
                state, prices[p.group_code], deadline, since=since, vat_rate=policy.vat_rate
            )
        except Exception as exc:  # a missing price: report it, estimate the others
            skipped.append((p.number, getattr(exc, "message", str(exc))))
            continue
        if plan is None:
            skipped.append((p.number, "Brak historii zużycia do oszacowania."))
            continue
        reading = Reading(
            id=str(uuid.uuid4()),
            premises_id=p.id,
            payer_id=p.payer_id,
            reading_date=deadline,
            source="estimated",
            status="accepted",
            flagged=False,
            flag_note="",
            reason="Odczyt szacunkowy: nie podano odczytu w terminie.",
            idempotency_token=f"estimate:{p.id}:{deadline.isoformat()}",
            created_at=now,
            created_by=by[:80],
            decided_at=now,
            decided_by=by[:80],
            values=[
                ReadingValue(
                    meter_id=mid,
                    value_m3=v,
                    submitted_m3=v,
                    previous_m3=state.previous_value(next(m for m in state.meters if m.id == mid)),
                    rollover=False,
                )
                for mid, v in plan.end_values.items()
            ],
        )
        row = settlements.settlement_row(p, reading.id, plan, kind="estimated", now=now)
        reading.settlement_id = row.id
        session.add(reading)
        decided.append(Decided(reading, p, "estimated", row, plan))
    await session.flush()
    await settlements.store(
        session,
        [
            settlements.NewSettlement(d.settlement, d.plan)
            for d in decided
            if d.settlement is not None and d.plan is not None
        ],
    )
    return decided, skipped
