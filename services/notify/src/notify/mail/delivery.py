"""The delivery loop: send pending mails from the record, retry with backoff, never lose one."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from notify.contact.models import Attachment, RateCounter
from notify.mail import service
from notify.mail.models import MailMessage
from notify.mail.smtp import File, Outgoing, SmtpTransport, compose
from portal_platform.db import Database
from portal_platform.logging import get_logger

log = get_logger(__name__)
HOUSEKEEPING_EVERY_S = 3600.0


class Delivery:
    """Claims due mails, sends them over SMTP, records the outcome (one worker or many)."""

    def __init__(
        self,
        db: Database,
        transport: SmtpTransport,
        *,
        sender: str,
        policy: service.RetryPolicy,
        batch: int = 50,
        interval_s: float = 2.0,
    ) -> None:
        self.db = db
        self.transport = transport
        self.sender = sender
        self.policy = policy
        self.batch = batch
        self.interval_s = interval_s
        self.wakeup = asyncio.Event()
        self.sent = 0
        self.failed_attempts = 0
        self._last_housekeeping = 0.0

    def poke(self) -> None:
        """Ask for a run now (new mail was queued in this process)."""
        self.wakeup.set()

    async def run_once(self) -> int:
        """One batch: claim, send, record; returns how many were accepted by the server."""
        lease = self.transport.config.timeout * (self.batch + 2) + 30
        async with self.db.transaction() as session:
            rows = await service.claim_due(session, limit=self.batch, lease_s=lease)
            outgoing = [await self._compose(session, r) for r in rows]
        if not outgoing:
            return 0
        results = await self.transport.send_batch(outgoing)
        ok = [mail_id for mail_id, err in results.items() if err is None]
        async with self.db.transaction() as session:
            await service.mark_sent(session, ok)
            for mail_id, err in results.items():
                if err is not None:
                    await service.mark_failed(
                        session, mail_id, str(err), permanent=err.permanent, policy=self.policy
                    )
        self.sent += len(ok)
        self.failed_attempts += len(results) - len(ok)
        if len(ok) < len(results):
            log.warning("mail not sent, will retry", failed=len(results) - len(ok), sent=len(ok))
        return len(ok)

    async def _compose(self, session: object, row: MailMessage) -> Outgoing:
        files: tuple[File, ...] = ()
        if row.attachment_ids:
            found = await session.execute(  # type: ignore[attr-defined]
                select(Attachment.filename, Attachment.content_type, Attachment.content).where(
                    Attachment.id.in_([int(i) for i in row.attachment_ids])
                )
            )
            files = tuple(File(f, t, c) for f, t, c in found.all())
        message = compose(
            mail_id=row.id,
            sender=self.sender,
            recipient=row.recipient,
            subject=row.subject,
            text=row.body_text,
            html=row.body_html,
            reply_to=row.reply_to,
            language=row.language,
            files=files,
        )
        return Outgoing(row.id, row.recipient, message)

    async def housekeeping(self) -> None:
        """Drop anti-spam counters older than a day."""
        cutoff = datetime.now(UTC) - timedelta(days=1)
        async with self.db.transaction() as session:
            await session.execute(delete(RateCounter).where(RateCounter.window_start < cutoff))

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop`; a full batch is followed at once by the next one."""
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            sent_full = False
            try:
                if loop.time() - self._last_housekeeping > HOUSEKEEPING_EVERY_S:
                    self._last_housekeeping = loop.time()
                    await self.housekeeping()
                self.wakeup.clear()
                sent_full = await self.run_once() >= self.batch
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("delivery loop error", exc_info=True)
            if sent_full:
                continue
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(_first(stop, self.wakeup), timeout=self.interval_s)


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
