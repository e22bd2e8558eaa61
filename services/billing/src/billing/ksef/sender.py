"""Sending kept FA(3) XMLs to KSeF (ksef-client, online session) and recording the verdicts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from billing.context import Context
from billing.ksef import service as einvoices
from portal_platform.db import Database
from portal_platform.errors import DomainError
from portal_platform.logging import get_logger

log = get_logger(__name__)

SINCE_MISSING = (
    "KSeF: nic nie wysłano — ustaw BILLING_KSEF_SINCE (RRRR-MM-DD, np. 2026-04-01): "
    "dokumenty wystawione przed tą datą nigdy nie trafią do KSeF."
)
FORM = ("FA (3)", "1-0E", "FA")  # systemCode, schemaVersion, value of FA(3)
PROCESSING = 200  # KSeF invoice status: below — still processing; 200 — accepted; above — refused


@dataclass(frozen=True)
class Connection:
    url: str
    token: str
    nip: str
    poll_seconds: float = 2.0
    polls: int = 5  # status checks after sending before leaving the rest to the next run


@dataclass
class Summary:
    built: int = 0
    failed: int = 0
    waiting: set[str] = field(default_factory=set)  # corrections waiting for a KSeF number
    sent: int = 0
    accepted: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"FA(3): utworzono {self.built}, błędnych {self.failed}, korekt czekających "
            f"{len(self.waiting)}; KSeF: wysłano {self.sent}, przyjętych {self.accepted}, "
            f"odrzuconych {self.rejected}, błędów połączenia {len(self.errors)}"
        )


async def build_pending(db: Database, ctx: Context, summary: Summary, *, batch: int) -> None:
    """Build and keep the XML of every invoice to a payer with a NIP that has none yet."""
    after = None
    while True:
        async with db.sessions() as session:
            docs = await einvoices.pending(
                session, limit=batch, after=after, since=ctx.einvoicing.since
            )
        if not docs:
            return
        after = (docs[-1].created_at, docs[-1].id)
        for doc in docs:
            try:
                async with db.transaction() as session:
                    row = await einvoices.ensure_xml(session, ctx, doc)
            except einvoices.NotYet:
                summary.waiting.add(doc.id)
                continue
            except DomainError:
                continue  # not an e-invoice after all (the snapshot has no NIP)
            summary.waiting.discard(doc.id)
            if row.xml is None:
                summary.failed += 1
            else:
                summary.built += 1


async def send(
    db: Database,
    ctx: Context,
    conn: Connection,
    *,
    batch: int = 100,
    client_factory: Callable[[Any], Any] | None = None,
) -> Summary:
    """One run: build what is missing, check earlier sends, send what is ready.

    Only documents issued on or after BILLING_KSEF_SINCE; without it nothing is sent.
    """
    from ksef_client import AsyncKsefClient, KsefClientOptions
    from ksef_client.exceptions import KsefHttpError

    since = ctx.einvoicing.since
    if since is None:
        raise DomainError(SINCE_MISSING, code="einvoice.since_missing", field="ksef_since")
    summary = Summary()
    await build_pending(db, ctx, summary, batch=batch)
    options = KsefClientOptions(base_url=conn.url, timeout_seconds=30.0)
    factory = client_factory or AsyncKsefClient
    try:
        async with factory(options) as client:
            token = await _authenticate(client, conn)
            await _check_sent(db, client, token, summary, conn, polls=1)
            # corrections whose invoice has just got its KSeF number can be built now
            await build_pending(db, ctx, summary, batch=batch)
            await _send_ready(db, client, token, summary, batch=batch, since=since)
            await _check_sent(db, client, token, summary, conn, polls=conn.polls)
    except Exception as exc:  # any failure of the run is reported, none is lost
        # what was sent is recorded per document already; the rest waits for the next run
        summary.errors.append(f"{type(exc).__name__}: {exc}")
        log.warning("ksef run stopped", error=str(exc), exc_info=not isinstance(exc, KsefHttpError))
    return summary


async def _authenticate(client: Any, conn: Connection) -> str:
    from ksef_client import models as m
    from ksef_client.services import AsyncAuthCoordinator

    cert = await client.security.get_public_key_certificate(
        m.PublicKeyCertificateUsage.KSEFTOKENENCRYPTION
    )
    result = await AsyncAuthCoordinator(client.auth).authenticate_with_ksef_token(
        token=conn.token,
        public_certificate=cert.certificate,
        public_key_id=cert.public_key_id,
        context_identifier_type="nip",
        context_identifier_value=conn.nip,
        poll_interval_seconds=conn.poll_seconds,
        max_attempts=30,
    )
    return str(result.access_token)


async def _send_ready(
    db: Database, client: Any, token: str, summary: Summary, *, batch: int, since: date
) -> None:
    from ksef_client import models as m
    from ksef_client.exceptions import KsefHttpError
    from ksef_client.services import AsyncOnlineSessionWorkflow

    async with db.sessions() as session:
        ready = await einvoices.to_send(session, limit=batch, since=since)
    if not ready:
        return
    cert = await client.security.get_public_key_certificate(
        m.PublicKeyCertificateUsage.SYMMETRICKEYENCRYPTION
    )
    handle = await AsyncOnlineSessionWorkflow(client.sessions).open_session(
        form_code=m.FormCode(system_code=FORM[0], schema_version=FORM[1], value=FORM[2]),
        public_certificate=cert.certificate,
        public_key_id=cert.public_key_id,
        access_token=token,
    )
    try:
        for doc, row in ready:
            assert row.xml is not None
            try:
                sent = await handle.send_invoice(row.xml, access_token=token)
            except KsefHttpError as exc:
                summary.errors.append(f"{doc.number}: {exc}")
                async with db.transaction() as session:
                    await einvoices.mark_failed_attempt(session, doc.id, str(exc))
                continue
            async with db.transaction() as session:
                await einvoices.mark_sent(
                    session, doc.id, handle.session_reference_number, sent.reference_number
                )
            summary.sent += 1
    finally:
        await handle.close(access_token=token)


async def _check_sent(
    db: Database, client: Any, token: str, summary: Summary, conn: Connection, *, polls: int
) -> None:
    """Ask KSeF about each sent XML: its number, its refusal, or still processing."""
    for attempt in range(polls):
        async with db.sessions() as session:
            waiting = await einvoices.awaiting(session, limit=1000)
        if not waiting:
            return
        for row in waiting:
            status = await client.sessions.get_session_invoice_status(
                row.session_reference, row.invoice_reference, access_token=token
            )
            code = status.status.code
            if code < PROCESSING:
                continue
            async with db.transaction() as session:
                if code == PROCESSING and status.ksef_number:
                    await einvoices.decide(session, row.document_id, ksef_number=status.ksef_number)
                    summary.accepted += 1
                else:
                    details = "; ".join(status.status.details or [])
                    await einvoices.decide(
                        session,
                        row.document_id,
                        error=f"{code} {status.status.description}"
                        + (f": {details}" if details else ""),
                    )
                    summary.rejected += 1
        if attempt + 1 < polls:
            await asyncio.sleep(conn.poll_seconds)
