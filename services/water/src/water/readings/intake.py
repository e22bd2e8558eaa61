"""Submitting readings, many at once: one transaction for a batch of concurrent submissions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeAlias

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import DomainError, NotFound
from water.access import Scope
from water.policy import Policy
from water.premises import service as premises_service
from water.premises.models import Premises
from water.readings.models import Reading, ReadingValue
from water.readings.queries import NOT_FOUND
from water.readings.service import (
    Checked,
    Submitted,
    ValueInput,
    _settle,
    check,
    store_decided,
)
from water.settlements import service as settlements
from water.tariffs import service as tariffs


@dataclass(frozen=True)
class SubmitItem:
    """One submitted form: who, which premises, the date, the values, the form token."""

    scope: Scope
    premises_id: str
    reading_date: date | None
    inputs: tuple[ValueInput, ...]
    token: str = ""
    confirm: bool = False

    @property
    def clean_token(self) -> str:
        return self.token.strip()[:80]


class Deferred(Exception):
    """The same premises came twice in one batch: submit the later one in the next batch."""


Outcome: TypeAlias = Submitted | DomainError | Deferred


@dataclass
class ValueView:
    meter_id: str
    value_m3: int
    submitted_m3: int
    previous_m3: int
    rollover: bool


@dataclass
class ReadingView:
    """A reading saved by this batch as plain data (written with one multi-row insert)."""

    id: str
    premises_id: str
    payer_id: str
    reading_date: date
    source: str
    status: str
    flagged: bool
    flag_note: str
    reason: str
    idempotency_token: str | None
    created_at: datetime
    created_by: str
    values: list[ValueView]
    decided_by: str = ""
    decided_at: datetime | None = None
    settlement_id: str | None = None

    def row(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "values"}

    def value_rows(self) -> list[dict[str, Any]]:
        return [{"reading_id": self.id, **v.__dict__} for v in self.values]


def _new_reading(item: SubmitItem, checked: Checked, now: datetime) -> ReadingView:
    premises = checked.premises
    return ReadingView(
        id=str(uuid.uuid4()),
        premises_id=premises.id,
        payer_id=premises.payer_id,
        reading_date=checked.reading_date,
        source="clerk" if item.scope.is_staff else "customer",
        status="pending",
        flagged=bool(checked.warnings),
        flag_note=" ".join(w.message for w in checked.warnings)[:300],
        reason="",
        idempotency_token=item.clean_token or None,
        created_at=now,
        created_by=item.scope.subject[:80],
        values=[
            ValueView(mid, v, v, checked.previous[mid], mid in checked.rollovers)
            for mid, v in checked.values.items()
        ],
    )


async def submit_many(
    session: AsyncSession, items: Sequence[SubmitItem], *, policy: Policy
) -> list[Outcome]:
    """Check and save many readings with a few statements; an outcome per item, in order.

    A repeated form token returns the first reading; a new reading supersedes a pending one of
    the same premises; a clerk's reading is accepted and invoiced at once.
    """
    tokens = {i.clean_token for i in items if i.clean_token}
    existing: dict[str, Reading] = {}
    if tokens:
        found = await session.execute(select(Reading).where(Reading.idempotency_token.in_(tokens)))
        existing = {r.idempotency_token or "": r for r in found.scalars()}
    wanted = {i.premises_id for i in items if i.premises_id}
    premises = (
        {
            p.id: p
            for p in (
                await session.execute(select(Premises).where(Premises.id.in_(wanted)))
            ).scalars()
        }
        if wanted
        else {}
    )
    states = await settlements.load_states(session, list(premises.values()))
    prices = await tariffs.cached_price_tables(session, {p.group_code for p in premises.values()})
    now = datetime.now(UTC)
    outcomes: list[Outcome | int] = []
    fresh: list[tuple[SubmitItem, ReadingView, Checked, Submitted]] = []
    first_with: dict[str, int] = {}
    used: set[str] = set()
    for n, item in enumerate(items):
        token = item.clean_token
        try:
            if token in existing:
                if not item.scope.allows(existing[token].payer_id):
                    raise NotFound(NOT_FOUND)
                outcomes.append(Submitted(existing[token], None, [], repeated=True))
                continue
            if token and token in first_with:
                outcomes.append(first_with[token])  # resolved below
                continue
            p = premises.get(item.premises_id)
            if p is None or not item.scope.allows(p.payer_id):
                raise NotFound(premises_service.NOT_FOUND)
            if p.id in used:
                outcomes.append(Deferred())
                continue
            checked = check(
                p,
                states[p.id],
                prices[p.group_code],
                item.reading_date,
                item.inputs,
                policy,
                allow_rollover=item.scope.is_staff,
            )
            if checked.warnings and not item.confirm:
                outcomes.append(Submitted(None, checked, checked.warnings, needs_confirmation=True))
                continue
            reading = _new_reading(item, checked, now)
            used.add(p.id)
            if token:
                first_with[token] = n
            result = Submitted(reading, checked, checked.warnings)
            fresh.append((item, reading, checked, result))
            outcomes.append(result)
        except DomainError as exc:
            outcomes.append(exc)
    if fresh:
        await session.execute(
            update(Reading)
            .where(Reading.premises_id.in_(used), Reading.status == "pending")
            .values(status="superseded")
            .execution_options(synchronize_session=False)
        )
        decided = []
        for item, reading, checked, result in fresh:
            if item.scope.is_staff:
                result.decided = [_settle(reading, checked, "accepted", item.scope.subject, now)]
                decided += result.decided
        await session.execute(insert(Reading), [r.row() for _, r, _, _ in fresh])
        await session.execute(
            insert(ReadingValue), [v for _, r, _, _ in fresh for v in r.value_rows()]
        )
        if decided:
            await store_decided(session, decided)
    done: list[Outcome] = []
    for o in outcomes:
        if isinstance(o, int):
            first = outcomes[o]
            assert isinstance(first, Submitted)
            done.append(Submitted(first.reading, None, [], repeated=True))
        else:
            done.append(o)
    return done


async def submit(
    session: AsyncSession,
    scope: Scope,
    *,
    premises_id: str,
    reading_date: date | None,
    inputs: Sequence[ValueInput],
    token: str,
    confirm: bool,
    policy: Policy,
) -> Submitted:
    """Save one reading (once per form token); a clerk's reading is accepted at once."""
    item = SubmitItem(scope, premises_id, reading_date, tuple(inputs), token, confirm)
    [outcome] = await submit_many(session, [item], policy=policy)
    if isinstance(outcome, (DomainError, Deferred)):
        raise outcome
    return outcome
