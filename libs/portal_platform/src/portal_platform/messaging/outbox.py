"""Outbox: an event is written in the same transaction as the change that caused it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.logging import request_id_var


class EventMessage(Protocol):
    """A protobuf event whose first field is `meta` (portal.common.v1.EventMeta)."""

    meta: Any

    def SerializeToString(self) -> bytes: ...


def stamp(event: EventMessage, producer: str, *, causation_id: str = "") -> str:
    """Fill in the event's meta where empty; return its event id."""
    meta = event.meta
    if not meta.event_id:
        meta.event_id = str(uuid.uuid4())
    if not meta.occurred_at.seconds:
        meta.occurred_at.FromDatetime(datetime.now(UTC))
    if not meta.producer:
        meta.producer = producer
    if not meta.correlation_id:
        meta.correlation_id = request_id_var.get() or meta.event_id
    if causation_id and not meta.causation_id:
        meta.causation_id = causation_id
    return str(meta.event_id)


class Outbox:
    """Writes events of one producer into its service's outbox table."""

    def __init__(self, table: Table, producer: str) -> None:
        self.table = table
        self.producer = producer

    def _row(self, subject: str, event: EventMessage, causation_id: str) -> dict[str, Any]:
        event_id = stamp(event, self.producer, causation_id=causation_id)
        return {
            "event_id": event_id,
            "subject": subject,
            "payload": event.SerializeToString(),
            "created_at": datetime.now(UTC),
        }

    async def add(
        self, session: AsyncSession, subject: str, event: EventMessage, *, causation_id: str = ""
    ) -> str:
        """Queue one event in the caller's transaction; return its event id."""
        row = self._row(subject, event, causation_id)
        await session.execute(insert(self.table), [row])
        return str(row["event_id"])

    async def add_many(
        self,
        session: AsyncSession,
        items: Iterable[tuple[str, EventMessage]],
        *,
        causation_id: str = "",
    ) -> list[str]:
        """Queue many events with one multi-row insert."""
        rows = [self._row(subject, event, causation_id) for subject, event in items]
        if rows:
            await session.execute(insert(self.table), rows)
        return [str(r["event_id"]) for r in rows]
