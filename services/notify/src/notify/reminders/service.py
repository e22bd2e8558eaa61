"""A reminder run: find who has not submitted a reading or paid, remind each once per key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from notify.mail.render import Renderer
from notify.notices.service import Directory, Notice, deliver_notices
from notify.reminders.models import PAYMENT, READING, ReminderRule, ReminderSent
from notify.reminders.rules import due_offset, horizon
from portal_platform.db import Database, insert_ignoring_conflicts
from portal_platform.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class ReadingDeadline:
    group: str
    deadline: date
    label: str = ""


@dataclass(frozen=True)
class OpenItem:
    """An unpaid amount of a payer due on a date (from billing)."""

    payer_id: str
    due_date: date
    title: str
    outstanding_grosze: int
    status: str = "open"


class Sources(Protocol):
    """Where deadlines and who is late come from (water and billing over gRPC)."""

    async def reading_deadlines(self, year: int) -> list[ReadingDeadline]: ...

    async def payers_without_reading(self, group: str, deadline: date) -> list[str]: ...

    async def open_items(self, module: str, due_from: date, due_to: date) -> list[OpenItem]: ...


@dataclass(frozen=True)
class Candidate:
    """A reminder that may be due: its key and the mail's template and context."""

    kind: str
    scope: str
    payer_id: str
    deadline: date
    offset_days: int
    template: str
    context: dict[str, object] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str, date, int]:
        return (self.kind, self.scope, self.payer_id, self.deadline, self.offset_days)


@dataclass
class RunResult:
    candidates: int = 0
    reminded_payers: int = 0
    mails: int = 0


async def schedule(session: AsyncSession) -> dict[tuple[str, str], list[int]]:
    """The active schedule: (kind, scope) → offsets in days."""
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    rows = await session.execute(select(ReminderRule).where(ReminderRule.active.is_(True)))
    for rule in rows.scalars():
        found[(rule.kind, rule.scope)].append(rule.offset_days)
    return dict(found)


async def reading_candidates(sources: Sources, offsets: list[int], today: date) -> list[Candidate]:
    last = horizon(today, offsets)
    found = []
    for year in sorted({today.year, last.year}):
        for d in await sources.reading_deadlines(year):
            offset = due_offset(d.deadline, today, offsets)
            if offset is None:
                continue
            for payer in await sources.payers_without_reading(d.group, d.deadline):
                context = {"deadline": d.deadline, "label": d.label, "group": d.group}
                found.append(
                    Candidate(
                        READING, d.group, payer, d.deadline, offset, "reminder_reading", context
                    )
                )
    return found


async def payment_candidates(
    sources: Sources, module: str, offsets: list[int], today: date
) -> list[Candidate]:
    """One candidate per payer and due date, listing what is still unpaid then."""
    items = await sources.open_items(module, today, horizon(today, offsets))
    by_key: dict[tuple[str, date], list[OpenItem]] = defaultdict(list)
    for item in items:
        if item.outstanding_grosze > 0 and item.status in ("open", "overdue", ""):
            by_key[(item.payer_id, item.due_date)].append(item)
    found = []
    for (payer, due), unpaid in sorted(by_key.items()):
        offset = due_offset(due, today, offsets)
        if offset is None:
            continue
        charges = [{"title": i.title, "amount_grosze": i.outstanding_grosze} for i in unpaid]
        context = {
            "due_date": due,
            "module": module,
            "charges": charges,
            "total_grosze": sum(i.outstanding_grosze for i in unpaid),
        }
        found.append(Candidate(PAYMENT, module, payer, due, offset, "reminder_payment", context))
    return found


async def _not_sent(db: Database, candidates: Sequence[Candidate]) -> list[Candidate]:
    if not candidates:
        return []
    cols = (
        ReminderSent.kind,
        ReminderSent.scope,
        ReminderSent.payer_id,
        ReminderSent.deadline,
        ReminderSent.offset_days,
    )
    sent: set[tuple[str, str, str, date, int]] = set()
    async with db.sessions() as session:
        for start in range(0, len(candidates), 500):
            keys = [c.key for c in candidates[start : start + 500]]
            rows = await session.execute(select(*cols).where(tuple_(*cols).in_(keys)))
            sent.update((k, s, p, d, o) for k, s, p, d, o in rows.all())
    return [c for c in candidates if c.key not in sent]


async def remind(
    db: Database,
    sources: Sources,
    directory: Directory,
    renderer: Renderer,
    *,
    today: date,
    batch: int = 500,
) -> RunResult:
    """One run for `today`; a key already in reminders_sent (or taken by a parallel run) is skipped."""
    async with db.sessions() as session:
        plan = await schedule(session)
    candidates: list[Candidate] = []
    for (kind, scope), offsets in sorted(plan.items()):
        if kind == READING:
            candidates += await reading_candidates(sources, offsets, today)
        elif kind == PAYMENT:
            candidates += await payment_candidates(sources, scope, offsets, today)
    result = RunResult(candidates=len(candidates))
    todo = await _not_sent(db, candidates)
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        accounts = await directory.accounts_of_payers({c.payer_id for c in chunk})
        async with db.transaction() as session:
            taken = await _take(session, chunk, {p: len(a) for p, a in accounts.items()})
            notices = [
                Notice(
                    event_id="reminder:" + ":".join(str(x) for x in c.key),
                    template=c.template,
                    category="reminders",
                    context=dict(c.context),
                    payer_id=c.payer_id,
                )
                for c in chunk
                if c.key in taken
            ]
            ids = await deliver_notices(
                session, notices, directory=_Known(accounts), renderer=renderer
            )
        result.reminded_payers += len(taken)
        result.mails += len(ids)
    log.info(
        "reminder run",
        day=today.isoformat(),
        candidates=result.candidates,
        payers=result.reminded_payers,
        mails=result.mails,
    )
    return result


async def _take(
    session: AsyncSession, chunk: Sequence[Candidate], counts: dict[str, int]
) -> set[tuple[str, str, str, date, int]]:
    """Insert the keys; only those inserted now (not by another run) are ours to send."""
    now = datetime.now(UTC)
    rows = [
        {
            "kind": c.kind,
            "scope": c.scope,
            "payer_id": c.payer_id,
            "deadline": c.deadline,
            "offset_days": c.offset_days,
            "sent_at": now,
            "mails": counts.get(c.payer_id, 0),
        }
        for c in chunk
    ]
    table = ReminderSent.__table__
    keys = ["kind", "scope", "payer_id", "deadline", "offset_days"]
    stmt = insert_ignoring_conflicts(session, table, keys).returning(*(table.c[k] for k in keys))
    result = await session.execute(stmt, rows)
    return {(k, s, p, d, o) for k, s, p, d, o in result.all()}


class _Known:
    """A directory over accounts already fetched (no gRPC inside the transaction)."""

    def __init__(self, accounts: dict[str, list]) -> None:  # type: ignore[type-arg]
        self.accounts = accounts

    async def accounts_of_payers(self, payer_ids):  # type: ignore[no-untyped-def]
        return {p: self.accounts.get(p, []) for p in payer_ids}
