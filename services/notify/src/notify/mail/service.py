"""Queueing mails (render, honour preferences, once per key) and the delivery bookkeeping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notify.mail.models import FAILED, PENDING, SENT, MailMessage
from notify.mail.render import Renderer
from notify.mail.schemas import MailIn
from notify.preferences import service as preferences
from portal_platform.db import insert_ignoring_conflicts, is_postgres
from portal_platform.errors import NotFound


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base · 2^(attempt-1), capped; after `max_attempts` the mail fails."""

    base_s: float = 30.0
    max_s: float = 3600.0
    max_attempts: int = 15

    def delay(self, attempts: int) -> float:
        return float(min(self.base_s * 2 ** max(attempts - 1, 0), self.max_s))


async def enqueue(
    session: AsyncSession,
    mails: Sequence[MailIn],
    renderer: Renderer,
    *,
    now: datetime | None = None,
) -> list[int]:
    """Render and queue the mails the recipients want; a dedup key already queued is skipped."""
    now = now or datetime.now(UTC)
    accounts = [m.recipient.account_id for m in mails if m.recipient.account_id and not m.mandatory]
    choices = await preferences.get_many(session, accounts) if accounts else {}
    rows = []
    for m in mails:
        account = m.recipient.account_id
        if not m.mandatory and account and not choices[account].allows(m.category):
            continue
        if not m.recipient.email:
            continue
        rendered = renderer.render(
            m.template,
            m.recipient.language,
            {**m.context, "optional": not m.mandatory},
        )
        rows.append(
            {
                "dedup_key": m.dedup_key[:200],
                "recipient": m.recipient.email,
                "account_id": account,
                "template": m.template,
                "language": m.recipient.language if m.recipient.language in ("pl", "en") else "pl",
                "category": m.category,
                "mandatory": m.mandatory,
                "subject": rendered.subject,
                "body_text": rendered.text,
                "body_html": rendered.html,
                "reply_to": m.reply_to,
                "attachment_ids": list(m.attachment_ids),
                "source_event_id": m.source_event_id,
                "status": PENDING,
                "attempts": 0,
                "last_error": None,
                "created_at": now,
                "next_attempt_at": now,
                "lease_until": None,
                "sent_at": None,
            }
        )
    if not rows:
        return []
    table = MailMessage.__table__
    stmt = insert_ignoring_conflicts(session, table, ["dedup_key"]).returning(table.c.id)
    result = await session.execute(stmt, rows)
    return [int(r[0]) for r in result.all()]


async def claim_due(
    session: AsyncSession, *, limit: int, lease_s: float, now: datetime | None = None
) -> list[MailMessage]:
    """Take up to `limit` due mails for this worker (a lease keeps other replicas off them)."""
    now = now or datetime.now(UTC)
    due = (
        select(MailMessage.id)
        .where(
            MailMessage.status == PENDING,
            MailMessage.next_attempt_at <= now,
            or_(MailMessage.lease_until.is_(None), MailMessage.lease_until < now),
        )
        .order_by(MailMessage.next_attempt_at, MailMessage.id)
        .limit(limit)
    )
    if is_postgres(session):
        due = due.with_for_update(skip_locked=True)
    # One statement: SQLite takes the write lock at once, PostgreSQL skips rows others hold.
    claimed = await session.execute(
        update(MailMessage)
        .where(MailMessage.id.in_(due.scalar_subquery()))
        .values(lease_until=now + timedelta(seconds=lease_s), attempts=MailMessage.attempts + 1)
        .returning(MailMessage.id)
    )
    ids = [int(i) for i in claimed.scalars()]
    if not ids:
        return []
    rows = await session.execute(
        select(MailMessage).where(MailMessage.id.in_(ids)).order_by(MailMessage.id)
    )
    return list(rows.scalars())


async def mark_sent(
    session: AsyncSession, ids: Sequence[int], *, now: datetime | None = None
) -> None:
    if ids:
        await session.execute(
            update(MailMessage)
            .where(MailMessage.id.in_(list(ids)))
            .values(
                status=SENT, sent_at=now or datetime.now(UTC), lease_until=None, last_error=None
            )
        )


async def mark_failed(
    session: AsyncSession,
    mail_id: int,
    error: str,
    *,
    permanent: bool,
    policy: RetryPolicy,
    now: datetime | None = None,
) -> None:
    """Record a failed attempt: retry later with backoff, or give up (permanent / too many)."""
    now = now or datetime.now(UTC)
    row = await session.get(MailMessage, mail_id)
    if row is None:
        return
    row.last_error = error[:1000]
    row.lease_until = None
    if permanent or row.attempts >= policy.max_attempts:
        row.status = FAILED
    else:
        row.next_attempt_at = now + timedelta(seconds=policy.delay(row.attempts))


async def retry(session: AsyncSession, mail_id: int) -> MailMessage:
    """Put a failed (or pending) mail back in the queue for an attempt now."""
    row = await session.get(MailMessage, mail_id)
    if row is None:
        raise NotFound("Nie ma takiej wiadomości.")
    if row.status != SENT:
        row.status = PENDING
        row.next_attempt_at = datetime.now(UTC)
        row.lease_until = None
    return row


async def list_messages(
    session: AsyncSession,
    *,
    status: str = "",
    recipient: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[MailMessage], int]:
    """The log of e-mails, newest first, optionally by status or part of the address."""
    conds = []
    if status:
        conds.append(MailMessage.status == status)
    if recipient:
        conds.append(
            func.lower(MailMessage.recipient).contains(recipient.strip().lower(), autoescape=True)
        )
    total = (
        await session.execute(select(func.count()).select_from(MailMessage).where(*conds))
    ).scalar_one()
    rows = await session.execute(
        select(MailMessage)
        .where(*conds)
        .order_by(MailMessage.created_at.desc(), MailMessage.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows.scalars()), int(total)


async def pending_count(session: AsyncSession) -> int:
    stmt = select(func.count()).select_from(MailMessage).where(MailMessage.status == PENDING)
    return int((await session.execute(stmt)).scalar_one())
