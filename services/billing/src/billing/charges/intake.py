"""The charges intake: book charges, create payers, issue numbered documents, amounts due."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.bulk import one_of
from billing.charges.models import Charge
from billing.charges.schemas import BookedCharge, ChargeIn
from billing.charges.service import book_charges, validate
from billing.context import Context, today
from billing.documents import service as documents
from billing.documents.models import Document
from billing.documents.schemas import Draft
from billing.ledger import service as ledger
from billing.payers import service as payers
from billing.payers.models import Payer


@dataclass
class IntakeResult:
    booked: list[BookedCharge] = field(default_factory=list)
    documents: list[Draft] = field(default_factory=list)


async def intake(session: AsyncSession, ctx: Context, charges: Sequence[ChargeIn]) -> IntakeResult:
    """Book a batch of requested charges in one transaction; repeats book nothing."""
    for c in charges:
        validate(c)
    details = {
        c.payer_id: payers.Details(c.payer_name, c.payer_address, c.payer_nip)
        for c in charges
        if c.payer_name or c.payer_address or c.payer_nip
    }
    await payers.ensure(session, ctx.scheme, (c.payer_id for c in charges), details)
    booked = await book_charges(session, charges)
    if not booked:
        return IntakeResult()
    by_key = {(c.module, c.idempotency_key): c for c in charges}
    payer_rows = await _payer_snapshots(session, {b.payer_id for b in booked})
    corrected = await _corrected_charges(
        session,
        {
            (b.module, by_key[(b.module, b.idempotency_key)].corrects_key)
            for b in booked
            if b.gross_grosze < 0 and by_key[(b.module, b.idempotency_key)].corrects_key
        },
    )
    on = today()
    drafts: list[Draft] = []
    receivables: list[dict[str, object]] = []
    decreases: list[ledger.Incoming] = []
    for b in booked:
        c = by_key[(b.module, b.idempotency_key)]
        dues = sorted(c.due_dates) or [on + timedelta(days=ctx.payment_days)]
        doc_id = str(uuid.uuid4())
        payer = payer_rows[b.payer_id]
        original = corrected.get((b.module, c.corrects_key)) if b.gross_grosze < 0 else None
        if original is not None and original[0] != b.payer_id:
            original = None  # a key of another payer's charge: never touch their ledger
        drafts.append(
            Draft(
                id=doc_id,
                payer_id=b.payer_id,
                module=b.module,
                kind=c.document_kind,
                title=c.title,
                issued_on=on,
                gross_grosze=b.gross_grosze,
                due_date=dues[0],
                charge_id=b.id,
                snapshot=documents.snapshot(ctx, payer),
                filename=c.attachment.filename if c.attachment else "",
                content_type=c.attachment.content_type if c.attachment else "application/pdf",
                content=c.attachment.content if c.attachment else None,
                corrects_id=original[2] if original else None,
            )
        )
        if b.gross_grosze < 0:
            # A decrease: the corrected charge's unpaid principal goes down, the rest is credit.
            decreases.append(
                ledger.Incoming(
                    b.payer_id,
                    -b.gross_grosze,
                    on,
                    None,
                    (original[1],) if original else (),
                    kind_prefix="correction",
                )
            )
            continue
        if b.gross_grosze == 0:
            continue  # e.g. a settlement that came out even: the document, nothing to pay
        for due, amount in zip(
            dues, ledger.split_installments(b.gross_grosze, len(dues)), strict=True
        ):
            receivables.append(
                ledger.receivable_row(
                    payer_id=b.payer_id,
                    module=b.module,
                    kind="charge",
                    charge_id=b.id,
                    document_id=doc_id,
                    title=c.title,
                    booked_on=on,
                    due_date=due,
                    amount=amount,
                )
            )
    issued = await documents.issue(session, ctx, drafts)
    await ledger.add_receivables(session, receivables)
    if decreases:
        await ledger.apply(session, ctx, decreases)
    await ledger.use_credit(session, ctx, {b.payer_id for b in booked}, on)
    return IntakeResult(booked, issued)


async def _corrected_charges(
    session: AsyncSession, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str, str | None]]:
    """(module, idempotency key) → (payer id, charge id, its document id) of booked charges."""
    out: dict[tuple[str, str], tuple[str, str, str | None]] = {}
    wanted = sorted(keys)
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        rows = await session.execute(
            select(Charge.module, Charge.idempotency_key, Charge.payer_id, Charge.id, Document.id)
            .outerjoin(Document, Document.charge_id == Charge.id)
            .where(or_(*(and_(Charge.module == m, Charge.idempotency_key == k) for m, k in chunk)))
        )
        for module, key, payer_id, charge_id, doc_id in rows.all():
            out[(module, key)] = (payer_id, charge_id, doc_id)
    return out


async def _payer_snapshots(session: AsyncSession, ids: set[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    id_list = sorted(ids)
    for i in range(0, len(id_list), 1000):
        rows = await session.execute(
            select(Payer.id, Payer.name, Payer.address, Payer.nip, Payer.virtual_account).where(
                one_of(session, Payer.id, id_list[i : i + 1000])
            )
        )
        for pid, name, address, nip, account in rows.all():
            out[pid] = {"name": name, "address": address, "nip": nip, "account": account}
    return out
