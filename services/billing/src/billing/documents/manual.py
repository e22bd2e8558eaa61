"""Documents a clerk makes: uploads (decisions, letters) and corrections of issued documents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.charges.models import ChargeLine
from billing.charges.schemas import LineIn
from billing.charges.service import VAT_RATES
from billing.context import Context, today
from billing.documents import service
from billing.documents.models import Document
from billing.documents.schemas import MAX_UPLOAD_BYTES, Draft
from billing.ledger import service as ledger
from billing.payers import service as payers
from portal_platform.errors import DomainError, InvalidArgument

CORRECTABLE = ("invoice", "fee_notice", "decision", "installment")


async def upload(
    session: AsyncSession,
    ctx: Context,
    *,
    payer_id: str,
    module: str,
    title: str,
    filename: str,
    content_type: str,
    content: bytes,
    user: str,
) -> Draft:
    """Store a PDF a clerk uploads for a payer; the payer sees it in Dokumenty."""
    await payers.get(session, payer_id)
    if not title.strip():
        raise InvalidArgument("Podaj tytuł dokumentu.", field="title")
    if not content:
        raise InvalidArgument("Wybierz plik do wysłania.", field="content")
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidArgument("Plik jest za duży (maks. 10 MB).", field="content")
    if content_type != "application/pdf" or not content.startswith(b"%PDF-"):
        raise InvalidArgument("Dokument musi być plikiem PDF.", field="content")
    name = "".join(ch for ch in filename if ch.isalnum() or ch in "._- ")[:150] or "dokument.pdf"
    draft = Draft(
        id=str(uuid.uuid4()),
        payer_id=payer_id,
        module=module,
        kind="uploaded",
        title=title.strip(),
        issued_on=today(),
        filename=name,
        content=content,
        created_by=user,
    )
    return (await service.issue(session, ctx, [draft]))[0]


def _line_dict(ln: LineIn | ChargeLine) -> dict[str, object]:
    return {
        "description": ln.description,
        "quantity": format(ln.quantity, "f"),
        "unit": ln.unit,
        "unit_net_grosze": ln.unit_net_grosze,
        "net_grosze": ln.net_grosze,
        "vat_rate": ln.vat_rate,
        "vat_grosze": ln.vat_grosze,
        "gross_grosze": ln.gross_grosze,
        "period_from": ln.period_from.isoformat() if ln.period_from else None,
        "period_to": ln.period_to.isoformat() if ln.period_to else None,
    }


async def correct(
    session: AsyncSession,
    ctx: Context,
    *,
    document_id: str,
    reason: str,
    lines: Sequence[LineIn],
    user: str,
) -> Draft:
    """Issue a correction (faktura korygująca) of a document: new lines, the difference booked."""
    original = await service.get(session, document_id)
    if original.kind not in CORRECTABLE or not original.charge_id:
        raise DomainError(
            "Tego dokumentu nie można skorygować.",
            code="document.not_correctable",
            field="document_id",
        )
    if not reason.strip():
        raise InvalidArgument("Podaj przyczynę korekty.", field="reason")
    for i, ln in enumerate(lines):
        if ln.vat_rate not in VAT_RATES:
            raise InvalidArgument(
                f"Nieznana stawka VAT w pozycji {i + 1}.", field=f"lines[{i}].vat_rate"
            )
        if ln.net_grosze + ln.vat_grosze != ln.gross_grosze:
            raise InvalidArgument(
                f"Pozycja {i + 1}: netto + VAT nie równa się brutto.",
                field=f"lines[{i}].gross_grosze",
            )
    previous = (
        (
            await session.execute(
                select(Document)
                .where(Document.corrects_id == document_id)
                .order_by(Document.created_at.desc())
            )
        )
        .scalars()
        .first()
    )
    if previous is not None:
        before = list(previous.snapshot.get("lines", []))
        before_total = sum(int(x["gross_grosze"]) for x in before)
    else:
        rows = (
            (
                await session.execute(
                    select(ChargeLine)
                    .where(ChargeLine.charge_id == original.charge_id)
                    .order_by(ChargeLine.position)
                )
            )
            .scalars()
            .all()
        )
        before = [_line_dict(x) for x in rows]
        before_total = original.gross_grosze
    after = [_line_dict(x) for x in lines]
    difference = sum(x.gross_grosze for x in lines) - before_total
    on = today()
    snap = dict(original.snapshot)
    snap.update({"corrects_number": original.number, "original_lines": before, "lines": after})
    draft = Draft(
        id=str(uuid.uuid4()),
        payer_id=original.payer_id,
        module=original.module,
        kind="correction",
        title=f"Korekta: {original.title}",
        issued_on=on,
        gross_grosze=difference,
        due_date=on + timedelta(days=ctx.payment_days),
        charge_id=None,
        corrects_id=original.id,
        reason=reason.strip(),
        snapshot=snap,
        created_by=user,
    )
    draft = (await service.issue(session, ctx, [draft]))[0]
    if difference > 0:
        await ledger.add_receivables(
            session,
            [
                ledger.receivable_row(
                    payer_id=original.payer_id,
                    module=original.module,
                    kind="charge",
                    charge_id=original.charge_id,
                    document_id=draft.id,
                    title=draft.title,
                    booked_on=on,
                    due_date=on + timedelta(days=ctx.payment_days),
                    amount=difference,
                )
            ],
        )
    elif difference < 0:
        await ledger.apply(
            session,
            ctx,
            [
                ledger.Incoming(
                    original.payer_id,
                    -difference,
                    on,
                    None,
                    (original.charge_id,),
                    kind_prefix="correction",
                )
            ],
        )
    return draft
