"""Inbox consumers: effects and `(consumer, event_id)` in one transaction, ack after commit."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, Table, bindparam, func, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.db import Database, insert_ignoring_conflicts
from portal_platform.errors import DomainError
from portal_platform.logging import get_logger
from portal_platform.messaging.bus import DLQ_STREAM, DLQ_SUBJECT_PREFIX, Bus, Message, StreamSpec

log = get_logger(__name__)


class PoisonMessage(Exception):
    """The message can never be processed (bad payload); it goes to the dead-letter subject."""


@dataclass
class Envelope:
    """A decoded event handed to a handler."""

    subject: str
    event_id: str
    event: Any
    message: Message = field(repr=False)


BatchHandler = Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]]


@dataclass
class Subscription:
    """What one durable consumer (`<consumer>__<purpose>`) reads and how it handles it."""

    consumer: str
    purpose: str
    stream: StreamSpec
    subjects: tuple[str, ...]
    event_type: Any  # a protobuf message class with a `meta` field
    handler: BatchHandler
    batch: int = 500
    max_deliver: int = 5
    ack_wait_s: float = 30.0

    @property
    def durable(self) -> str:
        return f"{self.consumer}__{self.purpose}"


MAX_EVENT_ID = 36  # a UUID; the width of the inbox column


def decode(sub: Subscription, msg: Message) -> Envelope:
    """Parse the payload; raise PoisonMessage when it is not a valid event."""
    try:
        event = sub.event_type.FromString(msg.data)
    except Exception as exc:
        raise PoisonMessage(f"payload is not a {sub.event_type.__name__}: {exc}") from None
    # The event's own id (meta.event_id) identifies it; the header is JetStream's dedup key.
    event_id = getattr(getattr(event, "meta", None), "event_id", "") or msg.msg_id
    if not event_id:
        raise PoisonMessage("event has no id (Nats-Msg-Id header and meta.event_id are empty)")
    if len(event_id) > MAX_EVENT_ID:
        raise PoisonMessage(f"event id longer than {MAX_EVENT_ID} characters")
    return Envelope(msg.subject, event_id, event, msg)


def backoff(num_delivered: int) -> float:
    return float(min(2 ** max(num_delivered - 1, 0), 60))


class Consumer:
    """Runs one subscription: batched fetch, one transaction per batch, DLQ for poison."""

    def __init__(self, db: Database, bus: Bus, inbox_table: Table, sub: Subscription) -> None:
        self.db = db
        self.bus = bus
        self.table = inbox_table
        self.sub = sub
        self.processed = 0
        self.dead_lettered = 0

    async def _dead_letter(self, msg: Message, reason: str) -> None:
        await self.bus.publish(
            f"{DLQ_SUBJECT_PREFIX}{self.sub.consumer}",
            msg.data,
            msg_id=f"dlq:{self.sub.durable}:{msg.msg_id or id(msg)}",
            headers={
                "Portal-Original-Subject": msg.subject,
                "Portal-Consumer": self.sub.durable,
                "Portal-Error": reason[:500].replace("\n", " "),
            },
        )
        await msg.term()
        self.dead_lettered += 1
        log.warning(
            "message dead-lettered", consumer=self.sub.durable, subject=msg.subject, reason=reason
        )

    async def _claim(self, session: AsyncSession, ids: Sequence[str]) -> set[str]:
        """Record `ids` in the inbox in one statement; return those not recorded before.

        `INSERT ... ON CONFLICT DO NOTHING` probes the primary key once per id, so the cost
        does not grow with the size of the inbox; a replica handling the same event waits
        for this transaction and then finds the row.
        """
        t = self.table
        now = datetime.now(UTC)
        if self.db.is_postgres:
            # One array parameter: a short statement, whatever the batch size.
            stmt = (
                postgresql.insert(t)
                .from_select(
                    ["consumer", "event_id", "processed_at"],
                    select(
                        literal(self.sub.durable, t.c.consumer.type),
                        func.unnest(bindparam("ids", list(ids), type_=postgresql.ARRAY(String()))),
                        literal(now, t.c.processed_at.type),
                    ),
                )
                .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
                .returning(t.c.event_id)
            )
            return set((await session.execute(stmt)).scalars())
        rows = [{"consumer": self.sub.durable, "event_id": i, "processed_at": now} for i in ids]
        stmt = insert_ignoring_conflicts(session, t, ["consumer", "event_id"]).returning(
            t.c.event_id
        )
        return set((await session.execute(stmt, rows)).scalars())

    async def _apply(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> list[Envelope]:
        """Record the events in the inbox and run the handler for those not seen before."""
        unique: dict[str, Envelope] = {}
        for env in envelopes:
            unique.setdefault(env.event_id, env)
        claimed = await self._claim(session, list(unique))
        fresh = [env for event_id, env in unique.items() if event_id in claimed]
        if fresh:
            await self.sub.handler(session, fresh)
        return fresh

    async def handle(self, messages: Sequence[Message]) -> None:
        """Process one fetched batch."""
        envelopes: list[Envelope] = []
        for msg in messages:
            try:
                envelopes.append(decode(self.sub, msg))
            except PoisonMessage as exc:
                await self._dead_letter(msg, str(exc))
        if not envelopes:
            return
        try:
            async with self.db.transaction() as session:
                await self._apply(session, envelopes)
        except Exception as exc:
            if len(envelopes) == 1:
                await self._fail(envelopes[0], exc)
                return
            # One bad event must not hold back the batch: retry each on its own.
            for env in envelopes:
                try:
                    async with self.db.transaction() as session:
                        await self._apply(session, [env])
                except Exception as exc:
                    await self._fail(env, exc)
                    continue
                await env.message.ack()
                self.processed += 1
            return
        for env in envelopes:
            await env.message.ack()
        self.processed += len(envelopes)

    async def _fail(self, env: Envelope, exc: Exception) -> None:
        """Dead-letter a permanent failure or the last delivery; otherwise nak with delay."""
        if isinstance(exc, DomainError):
            await self._dead_letter(env.message, f"{type(exc).__name__}: {exc.message}")
        elif isinstance(exc, PoisonMessage):
            await self._dead_letter(env.message, str(exc))
        elif env.message.num_delivered >= self.sub.max_deliver:
            await self._dead_letter(env.message, f"max deliveries reached: {exc!r}")
        else:
            log.warning(
                "event failed, will retry",
                consumer=self.sub.durable,
                event_id=env.event_id,
                error=repr(exc),
            )
            await env.message.nak(delay=backoff(env.message.num_delivered))

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch and handle batches until `stop` is set."""
        await self.bus.ensure_stream(DLQ_STREAM)
        pull = await self.bus.pull_consumer(
            self.sub.stream,
            self.sub.durable,
            self.sub.subjects,
            max_deliver=self.sub.max_deliver,
            ack_wait_s=self.sub.ack_wait_s,
        )
        next_batch: asyncio.Task[list[Message]] | None = None

        def fetch() -> asyncio.Task[list[Message]]:
            return asyncio.create_task(pull.fetch(self.sub.batch, timeout=0.5))

        try:
            while not stop.is_set():
                try:
                    fetched, next_batch = next_batch or fetch(), None
                    messages = await fetched
                    if messages:
                        # Fetch the next batch while this one is handled (acks still follow
                        # the commit); it overlaps network and database waits.
                        next_batch = fetch()
                        await self.handle(messages)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.warning("consumer loop error", consumer=self.sub.durable, exc_info=True)
                    await asyncio.sleep(1.0)
            if next_batch is not None:
                # Stopping: handle what was already fetched rather than leave it to ack_wait.
                fetched, next_batch = next_batch, None
                try:
                    if messages := await fetched:
                        await self.handle(messages)
                except Exception:
                    log.warning("consumer stop error", consumer=self.sub.durable, exc_info=True)
        finally:
            if next_batch is not None:
                next_batch.cancel()
                with contextlib.suppress(BaseException):
                    await next_batch
            await pull.unsubscribe()
