"""Micro-batching of concurrent submissions: whatever is queued goes in one transaction.

Submissions are partitioned by premises over a few workers, so two readings of one premises
are never written concurrently; an idle server handles a submission at once (no timer).
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.db import Database
from portal_platform.logging import get_logger
from water.policy import Policy
from water.readings.intake import Deferred, Outcome, SubmitItem, submit_many
from water.readings.service import Submitted

log = get_logger(__name__)
AfterSave = Callable[[AsyncSession, Sequence[Submitted]], Awaitable[None]]
Job = tuple[SubmitItem, "asyncio.Future[Outcome]"]


class SubmitBatcher:
    """Queues SubmitItems; workers save each queue's backlog in one transaction."""

    def __init__(
        self,
        db: Database,
        policy: Policy,
        after_save: AfterSave,
        *,
        workers: int = 2,
        max_batch: int = 250,
        gather_s: float = 0.005,
    ) -> None:
        self.db = db
        self.policy = policy
        self.after_save = after_save
        self.max_batch = max_batch
        self.queues: list[asyncio.Queue[Job]] = [asyncio.Queue() for _ in range(workers)]
        self.workers: list[asyncio.Task[None] | None] = [None] * workers
        self.gather_s = gather_s
        self.busy = False

    async def submit(self, item: SubmitItem) -> Outcome:
        """Queue one submission and wait for its outcome."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        key = zlib.crc32(item.premises_id.encode()) % len(self.queues)
        self.queues[key].put_nowait((item, future))
        worker = self.workers[key]
        if worker is None or worker.done():
            # A worker lives while its queue has work, so nothing lingers when idle.
            self.workers[key] = asyncio.create_task(self._work(self.queues[key]))
        return await future

    async def _work(self, queue: asyncio.Queue[Job]) -> None:
        while not queue.empty():
            # Under load (the last batch had company) wait a moment so more submissions join
            # this one; an idle server saves a lone submission at once.
            await asyncio.sleep(self.gather_s if self.busy else 0)
            batch = [queue.get_nowait()]
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            self.busy = len(batch) > 1
            try:
                await self._save(batch, queue)
            except Exception as exc:  # never let a worker die; the callers get the error
                log.exception("submission batch failed")
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)

    async def _save(self, batch: list[Job], queue: asyncio.Queue[Job]) -> None:
        try:
            outcomes = await self._transaction([item for item, _ in batch])
        except IntegrityError:
            if len(batch) == 1:  # a token used by a concurrent request: now it is a repeat
                outcomes = await self._transaction([batch[0][0]])
            else:
                for job in batch:
                    await self._save([job], queue)
                return
        for (item, future), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Deferred):
                queue.put_nowait((item, future))
            elif not future.done():
                future.set_result(outcome)

    async def _transaction(self, items: list[SubmitItem]) -> list[Outcome]:
        async with self.db.transaction() as session:
            outcomes = await submit_many(session, items, policy=self.policy)
            await self.after_save(session, [o for o in outcomes if isinstance(o, Submitted)])
        return outcomes
