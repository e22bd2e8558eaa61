"""Relay: publishes outbox rows to JetStream and marks them sent; safe with replicas."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, any_, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql

from portal_platform.db import Database
from portal_platform.logging import get_logger
from portal_platform.messaging.bus import Bus, StreamSpec

log = get_logger(__name__)


class Relay:
    """Moves outbox rows to JetStream in batches (`FOR UPDATE SKIP LOCKED` on PostgreSQL)."""

    def __init__(
        self,
        db: Database,
        bus: Bus,
        outbox_table: object,
        streams: tuple[StreamSpec, ...],
        *,
        batch: int = 1000,
        idle_sleep_s: float = 0.05,
        max_idle_sleep_s: float = 0.5,
        retention: timedelta = timedelta(days=1),
    ) -> None:
        self.db = db
        self.bus = bus
        self.table = outbox_table
        self.streams = streams
        self.batch = batch
        self.idle_sleep_s = idle_sleep_s
        self.max_idle_sleep_s = max_idle_sleep_s
        self.retention = retention
        self.published = 0

    async def prepare(self) -> None:
        for spec in self.streams:
            await self.bus.ensure_stream(spec)

    async def publish_batch(self) -> int:
        """Publish one batch; return how many rows were sent."""
        t = self.table
        stmt = (
            select(t.c.id, t.c.event_id, t.c.subject, t.c.payload)  # type: ignore[attr-defined]
            .where(t.c.published_at.is_(None))  # type: ignore[attr-defined]
            .order_by(t.c.id)  # type: ignore[attr-defined]
            .limit(self.batch)
        )
        if self.db.is_postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        async with self.db.transaction() as session:
            rows = (await session.execute(stmt)).all()
            if not rows:
                return 0
            await self.bus.publish_many([(r.subject, r.payload, r.event_id) for r in rows])
            ids = [r.id for r in rows]
            # PostgreSQL: one array parameter instead of `IN` with a placeholder per row.
            sent = (
                t.c.id == any_(bindparam("ids", ids, type_=postgresql.ARRAY(BigInteger())))  # type: ignore[attr-defined]
                if self.db.is_postgres
                else t.c.id.in_(ids)  # type: ignore[attr-defined]
            )
            await session.execute(
                update(t).where(sent).values(published_at=datetime.now(UTC))  # type: ignore[arg-type]
            )
        self.published += len(rows)
        return len(rows)

    async def purge(self) -> None:
        """Delete rows published longer ago than the retention period."""
        cutoff = datetime.now(UTC) - self.retention
        t = self.table
        async with self.db.transaction() as session:
            await session.execute(
                delete(t).where(t.c.published_at.is_not(None), t.c.published_at < cutoff)  # type: ignore[arg-type, attr-defined]
            )

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set; back off when idle or on errors."""
        await self.prepare()
        sleep = self.idle_sleep_s
        last_purge = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                sent = await self.publish_batch()
            except Exception:
                log.warning("relay batch failed; retrying", exc_info=True)
                sent = 0
                sleep = self.max_idle_sleep_s
            if sent >= self.batch:
                continue
            sleep = self.idle_sleep_s if sent else min(sleep * 1.5, self.max_idle_sleep_s)
            if loop.time() - last_purge > 600:
                last_purge = loop.time()
                try:
                    await self.purge()
                except Exception:
                    log.warning("outbox purge failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=sleep)
