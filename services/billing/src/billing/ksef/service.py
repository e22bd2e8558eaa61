"""Which documents get an FA(3) invoice, building it once and keeping it, its KSeF status."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from billing.charges.models import ChargeLine
from billing.context import Context
from billing.documents.models import Document
from billing.ksef import fa3
from billing.ksef.models import EInvoice
from billing.ledger.models import Receivable
from billing.payers.models import Payer
from portal_platform.db import insert_ignoring_conflicts
from portal_platform.errors import DomainError

BEFORE_SINCE = "before_since"  # computed, never stored: the document stays outside KSeF
IN_KSEF = ("sent", "accepted", "rejected")  # statuses of an XML that reached KSeF


class NotYet(DomainError):
    """The XML cannot be built yet (a correction waits for its invoice's KSeF number)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="einvoice.not_yet", field="document_id")


def applies(doc: Document, original_kind: str | None) -> bool:
    """An invoice, or a correction of one, to a payer with a NIP (consumers are outside KSeF)."""
    if not (doc.snapshot.get("payer") or {}).get("nip"):
        return False
    return doc.kind == "invoice" or (doc.kind == "correction" and original_kind == "invoice")


def before_since(doc: Document, since: date | None) -> bool:
    """Issued before the first date sent to KSeF (BILLING_KSEF_SINCE): never sent."""
    return since is not None and doc.issued_on < since


@dataclass(frozen=True)
class Status:
    # pending (nothing built yet), before_since (never sent) or one of models.STATUSES
    status: str
    ksef_number: str = ""
    error: str = ""


async def statuses(
    session: AsyncSession, docs: Sequence[Document], since: date | None = None
) -> dict[str, Status]:
    """The e-invoice status of each document it applies to (others are left out).

    A document issued before `since` that has not reached KSeF is `before_since`.
    """
    kinds = {d.id: d.kind for d in docs}
    missing = {d.corrects_id for d in docs if d.corrects_id and d.corrects_id not in kinds}
    if missing:
        originals = await session.execute(
            select(Document.id, Document.kind).where(Document.id.in_(missing))
        )
        kinds.update({doc_id: kind for doc_id, kind in originals.all()})
    wanted = [d for d in docs if applies(d, kinds.get(d.corrects_id or ""))]
    if not wanted:
        return {}
    rows = await session.execute(
        select(EInvoice.document_id, EInvoice.status, EInvoice.ksef_number, EInvoice.error).where(
            EInvoice.document_id.in_([d.id for d in wanted])
        )
    )
    found = {doc_id: Status(st, number or "", err or "") for doc_id, st, number, err in rows.all()}
    out = {d.id: found.get(d.id, Status("pending")) for d in wanted}
    if since is not None:
        outside = Status(
            BEFORE_SINCE,
            error=f"Wystawiony przed {since:%d.%m.%Y} (BILLING_KSEF_SINCE): "
            "nie jest wysyłany do KSeF.",
        )
        for d in wanted:
            if before_since(d, since) and out[d.id].status not in IN_KSEF:
                out[d.id] = outside
    return out


async def ensure_xml(session: AsyncSession, ctx: Context, doc: Document) -> EInvoice:
    """The document's FA(3) XML: built on first need and kept; never rebuilt once kept.

    A document it cannot be built for gets a `failed` row (no XML) with the reason, tried
    again on the next need; a correction whose invoice is still on its way to KSeF is NotYet.
    """
    row = await session.get(EInvoice, doc.id)
    if row is not None and row.xml is not None:
        return row
    original = await session.get(Document, doc.corrects_id) if doc.corrects_id else None
    if not applies(doc, original.kind if original else None):
        raise DomainError(
            "Ten dokument nie ma faktury ustrukturyzowanej "
            "(FA(3) dotyczy faktur i ich korekt dla płatników z NIP).",
            code="einvoice.not_applicable",
            field="document_id",
        )
    try:
        xml = fa3.build(await source(session, ctx, doc, original))
    except fa3.Fa3Error as exc:
        return await _keep(session, doc.id, status="failed", error=exc.message)
    return await _keep(session, doc.id, status="ready", xml=xml)


def require_xml(row: EInvoice) -> bytes:
    """The kept XML, or the reason it could not be built as a clear error."""
    if row.xml is None:
        raise fa3.Fa3Error(row.error or "Nie udało się utworzyć faktury FA(3).")
    return row.xml


async def _keep(
    session: AsyncSession,
    document_id: str,
    *,
    status: str,
    xml: bytes | None = None,
    error: str = "",
) -> EInvoice:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "status": status,
        "xml": xml,
        "sha256": hashlib.sha256(xml).hexdigest() if xml else "",
        "error": error[:2000],
        "built_at": now if xml else None,
    }
    await session.execute(
        insert_ignoring_conflicts(session, EInvoice.__table__, ["document_id"]),
        [{"document_id": document_id, "attempts": 0, **values}],
    )
    # a failed row becomes ready when built later; a kept XML is never replaced
    await session.execute(
        update(EInvoice)
        .where(EInvoice.document_id == document_id, EInvoice.xml.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    row = await session.get(EInvoice, document_id, populate_existing=True)
    assert row is not None
    return row


async def source(
    session: AsyncSession, ctx: Context, doc: Document, original: Document | None
) -> fa3.Source:
    """The frozen data of an issued document, as the FA(3) builder takes it."""
    snap = doc.snapshot
    payer, gmina = snap.get("payer") or {}, snap.get("gmina") or {}
    if not gmina.get("nip"):
        raise fa3.Fa3Error(
            "Brak NIP gminy (BILLING_GMINA_NIP): faktura FA(3) wymaga NIP sprzedawcy."
        )
    unit = gmina.get("unit") or None
    corrects = None
    if doc.kind == "correction":
        if original is None or not original.number:
            raise fa3.Fa3Error("Korekta nie wskazuje faktury korygowanej.")
        ksef_number = ""
        row = await session.get(EInvoice, original.id)
        if row is not None and row.ksef_number:
            ksef_number = row.ksef_number
        elif ctx.einvoicing.enabled and not before_since(original, ctx.einvoicing.since):
            # an invoice issued before KSeF never gets a number: referred to without one
            raise NotYet(
                f"Faktura korygowana {original.number} nie ma jeszcze numeru KSeF: "
                "XML korekty powstanie po jej przyjęciu w KSeF."
            )
        corrects = fa3.Corrected(original.number, original.issued_on, ksef_number)
    return fa3.Source(
        number=doc.number or doc.id,
        issued_on=doc.issued_on,
        gross_grosze=doc.gross_grosze,
        seller=fa3.Party(gmina.get("name", ""), gmina["nip"], gmina.get("address", "")),
        buyer=fa3.Party(
            payer.get("name", ""), _digits(payer.get("nip", "")), payer.get("address", "")
        ),
        unit=fa3.Party(unit["name"], _digits(unit.get("nip", "")), unit.get("address", ""))
        if unit
        else None,
        lines=await _lines(session, doc),
        due_dates=await _due_dates(session, doc),
        account=payer.get("account", ""),
        bank=gmina.get("bank", ""),
        corrects=corrects,
        reason=doc.reason,
        exemption_basis=ctx.einvoicing.exemption_basis,
        np_code=ctx.einvoicing.np_code,
    )


def _digits(nip: str) -> str:
    return "".join(ch for ch in nip if ch.isdigit())


def _snapshot_line(x: dict[str, Any], before: bool) -> fa3.Line:
    pf, pt = x.get("period_from"), x.get("period_to")
    return fa3.Line(
        str(x["description"]),
        Decimal(str(x["quantity"])),
        str(x["unit"]),
        int(x["unit_net_grosze"]),
        int(x["net_grosze"]),
        str(x["vat_rate"]),
        int(x["vat_grosze"]),
        int(x["gross_grosze"]),
        date.fromisoformat(pf) if pf else None,
        date.fromisoformat(pt) if pt else None,
        before,
    )


async def _lines(session: AsyncSession, doc: Document) -> tuple[fa3.Line, ...]:
    snap = doc.snapshot
    if doc.kind == "correction" and "lines" in snap:
        # a clerk's correction: the lines as they stood (StanPrzed) and as they are now
        return tuple(
            [_snapshot_line(x, True) for x in snap.get("original_lines", [])]
            + [_snapshot_line(x, False) for x in snap.get("lines", [])]
        )
    if not doc.charge_id:
        raise fa3.Fa3Error("Dokument nie ma pozycji.")
    rows = await session.execute(
        select(ChargeLine)
        .where(ChargeLine.charge_id == doc.charge_id)
        .order_by(ChargeLine.position)
    )
    # an invoice, or a module's correction whose lines are the differences
    return tuple(
        fa3.Line(
            x.description,
            x.quantity,
            x.unit,
            x.unit_net_grosze,
            x.net_grosze,
            x.vat_rate,
            x.vat_grosze,
            x.gross_grosze,
            x.period_from,
            x.period_to,
        )
        for x in rows.scalars()
    )


async def _due_dates(session: AsyncSession, doc: Document) -> tuple[date, ...]:
    if doc.gross_grosze <= 0:
        return ()
    if doc.kind == "invoice" and doc.charge_id:
        rows = await session.execute(
            select(Receivable.due_date)
            .where(Receivable.charge_id == doc.charge_id, Receivable.kind == "charge")
            .order_by(Receivable.due_date)
        )
        dates = tuple(sorted(set(rows.scalars())))
        if dates:
            return dates
    return (doc.due_date,) if doc.due_date else ()


async def pending(
    session: AsyncSession,
    *,
    limit: int,
    after: tuple[datetime, str] | None = None,
    since: date | None = None,
) -> list[Document]:
    """Invoices (and their corrections) to payers with a NIP without a row yet, oldest first.

    With `since`, only those issued on or after it (the others are never sent).
    """
    original = aliased(Document)
    stmt = (
        select(Document)
        .join(Payer, Payer.id == Document.payer_id)
        .outerjoin(EInvoice, EInvoice.document_id == Document.id)
        .outerjoin(original, original.id == Document.corrects_id)
        .where(
            or_(
                Document.kind == "invoice",
                and_(Document.kind == "correction", original.kind == "invoice"),
            ),
            Payer.nip != "",
            EInvoice.document_id.is_(None),
        )
        .order_by(Document.created_at, Document.id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(tuple_(Document.created_at, Document.id) > tuple_(*after))
    if since is not None:
        stmt = stmt.where(Document.issued_on >= since)
    return list((await session.execute(stmt)).scalars())


async def to_send(
    session: AsyncSession, *, limit: int, since: date
) -> list[tuple[Document, EInvoice]]:
    """Built XMLs not yet in KSeF, issued on or after `since`: invoices first, oldest first."""
    rows = await session.execute(
        select(Document, EInvoice)
        .join(EInvoice, EInvoice.document_id == Document.id)
        .where(EInvoice.status == "ready", Document.issued_on >= since)
        .order_by(Document.kind.desc(), Document.created_at, Document.id)
        .limit(limit)
    )
    return [(d, e) for d, e in rows.all()]


async def awaiting(session: AsyncSession, *, limit: int) -> list[EInvoice]:
    """Sent to KSeF, number not known yet."""
    rows = await session.execute(
        select(EInvoice).where(EInvoice.status == "sent").order_by(EInvoice.sent_at).limit(limit)
    )
    return list(rows.scalars())


async def mark_sent(
    session: AsyncSession, document_id: str, session_reference: str, invoice_reference: str
) -> None:
    await session.execute(
        update(EInvoice)
        .where(EInvoice.document_id == document_id, EInvoice.status == "ready")
        .values(
            status="sent",
            session_reference=session_reference,
            invoice_reference=invoice_reference,
            sent_at=datetime.now(UTC),
            attempts=EInvoice.attempts + 1,
            error="",
        )
    )


async def mark_failed_attempt(session: AsyncSession, document_id: str, error: str) -> None:
    """A send that did not get through (network, KSeF down): stays ready, tried next run."""
    await session.execute(
        update(EInvoice)
        .where(EInvoice.document_id == document_id, EInvoice.status == "ready")
        .values(attempts=EInvoice.attempts + 1, error=error[:2000])
    )


async def decide(
    session: AsyncSession, document_id: str, *, ksef_number: str = "", error: str = ""
) -> None:
    """KSeF's verdict on a sent XML: its number, or why it refused it."""
    await session.execute(
        update(EInvoice)
        .where(and_(EInvoice.document_id == document_id, EInvoice.status == "sent"))
        .values(
            status="accepted" if ksef_number else "rejected",
            ksef_number=ksef_number or None,
            error=error[:2000],
            decided_at=datetime.now(UTC),
        )
    )
