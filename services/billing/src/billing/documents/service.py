"""Issuing documents (gap-free numbers), listing them, their files (rendered once, then kept)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.bulk import insert_rows
from billing.context import Context
from billing.documents.models import Document, DocumentFile
from billing.documents.schemas import KIND_CODES, Draft, number, series
from billing.numbering.service import take
from portal_platform.db import insert_ignoring_conflicts
from portal_platform.errors import NotFound


def snapshot(ctx: Context, payer: dict[str, str]) -> dict[str, object]:
    """What a document prints about the payer and the gmina, frozen at issue."""
    g = ctx.gmina
    gmina: dict[str, object] = {"name": g.name, "address": g.address, "nip": g.nip, "bank": g.bank}
    if g.unit_name:
        gmina["unit"] = {"name": g.unit_name, "nip": g.unit_nip, "address": g.unit_address}
    return {"payer": payer, "gmina": gmina}


async def issue(session: AsyncSession, ctx: Context, drafts: Sequence[Draft]) -> list[Draft]:
    """Number and store the drafts in the caller's transaction; return them numbered."""
    if not drafts:
        return []
    by_series: dict[str, list[Draft]] = defaultdict(list)
    for d in drafts:
        if d.kind in KIND_CODES:
            by_series[series(d.kind, ctx.modules.code(d.module), d.issued_on)].append(d)
    first = await take(session, {s: len(ds) for s, ds in by_series.items()})
    for s, ds in by_series.items():
        for i, d in enumerate(ds):
            d.number = number(s, first[s] + i)
            if not d.filename:
                d.filename = d.number.replace("/", "_") + ".pdf"
    now = datetime.now(UTC)
    await insert_rows(
        session,
        Document.__table__,  # type: ignore[arg-type]
        [
            {
                "id": d.id,
                "payer_id": d.payer_id,
                "module": d.module,
                "kind": d.kind,
                "number": d.number,
                "title": d.title[:300],
                "charge_id": d.charge_id,
                "corrects_id": d.corrects_id,
                "reason": d.reason,
                "gross_grosze": d.gross_grosze,
                "issued_on": d.issued_on,
                "due_date": d.due_date,
                "snapshot": d.snapshot,
                "filename": (d.filename or f"{d.id}.pdf")[:200],
                "content_type": d.content_type,
                "created_at": now,
                "created_by": d.created_by[:100],
            }
            for d in drafts
        ],
    )
    files = [
        {"document_id": d.id, "content": d.content, "sha256": hashlib.sha256(d.content).hexdigest()}
        for d in drafts
        if d.content is not None
    ]
    if files:
        await session.execute(insert(DocumentFile), files)
    return list(drafts)


async def list_for_payer(session: AsyncSession, payer_id: str, module: str = "") -> list[Document]:
    stmt = select(Document).where(Document.payer_id == payer_id)
    if module:
        stmt = stmt.where(Document.module == module)
    stmt = stmt.order_by(Document.issued_on.desc(), Document.created_at.desc(), Document.id)
    return list((await session.execute(stmt)).scalars())


async def get(session: AsyncSession, document_id: str) -> Document:
    doc = await session.get(Document, document_id)
    if doc is None:
        raise NotFound("Nie ma takiego dokumentu.", field="document_id")
    return doc


async def stored_file(session: AsyncSession, document_id: str) -> bytes | None:
    row = await session.get(DocumentFile, document_id)
    return row.content if row else None


async def keep_file(session: AsyncSession, document_id: str, content: bytes) -> bytes:
    """Store a rendered file once; if another request stored it first, return that one."""
    await session.execute(
        insert_ignoring_conflicts(session, DocumentFile.__table__, ["document_id"]),
        [
            {
                "document_id": document_id,
                "content": content,
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        ],
    )
    kept = await stored_file(session, document_id)
    return kept if kept is not None else content
