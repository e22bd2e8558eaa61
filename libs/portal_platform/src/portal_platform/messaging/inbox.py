"""Inbox consumers: effects and `(consumer, event_id)` in one transaction, ack after commit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.db import Database
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


def decode(sub: Subscription, msg: Message) -> Envelope:
    """Parse the payload; raise PoisonMessage when it is not a valid event."""
    try:
        event = sub.event_type.FromString(msg.data)
    except Exception as exc:
        raise PoisonMessage(f"payload is not a {sub.event_type.__name__}: {exc}") from None
    event_id = msg.msg_id or getattr(getattr(event, "meta", None), "event_id", "")
    if not event_id:
        raise PoisonMessage("event has no id (Nats-Msg-Id header and meta.event_id are empty)")
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

    async def _apply(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> list[Envelope]:
        """Skip events already in the inbox, run the handler, record the rest."""
        ids = list({e.event_id for e in envelopes})
        done = set(
            (
                await session.execute(
                    select(self.table.c.event_id).where(
                        self.table.c.consumer == self.sub.durable,
                        self.table.c.event_id.in_(ids),
                    )
                )
            ).scalars()
        )
        fresh: dict[str, Envelope] = {}
        for env in envelopes:
            if env.event_id not in done and env.event_id not in fresh:
                fresh[env.event_id] = env
        if fresh:
            await self.sub.handler(session, list(fresh.values()))
            now = datetime.now(UTC)
            await session.execute(
                insert(self.table),
                [{"consumer": self.sub.durable, "event_id": i, "processed_at": now} for i in fresh],
            )
        return list(fresh.values())

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
        try:
            while not stop.is_set():
                try:
                    messages = await pull.fetch(self.sub.batch, timeout=0.5)
                    if messages:
                        await self.handle(messages)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.warning("consumer loop error", consumer=self.sub.durable, exc_info=True)
                    await asyncio.sleep(1.0)
        finally:
            await pull.unsubscribe()
