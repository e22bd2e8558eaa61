"""Files of documents (stored or rendered once) and payment slips built from the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.charges.models import Charge, ChargeLine
from billing.context import Context
from billing.documents import service
from billing.documents.models import Document
from billing.documents.money import in_words
from billing.documents.qr import zbp_payload
from billing.documents.schemas import KIND_LABELS
from billing.documents.views import ArrearsItem, DocumentView, Line, Party, SlipView
from billing.ledger.models import Receivable
from billing.ledger.queries import interest_of, receivables_of
from billing.payers import service as payers
from billing.payers.accounts import group
from portal_platform.errors import NotFound


def line_view(ln: Any) -> Line:
    def g(key: str) -> Any:
        return ln[key] if isinstance(ln, dict) else getattr(ln, key)

    period = ""
    if g("period_from") and g("period_to"):
        pf, pt = g("period_from"), g("period_to")
        pf = date.fromisoformat(pf) if isinstance(pf, str) else pf
        pt = date.fromisoformat(pt) if isinstance(pt, str) else pt
        period = f"{pf:%d.%m.%Y}–{pt:%d.%m.%Y}"
    qty = g("quantity")
    return Line(
        str(g("description")),
        format(qty, "f") if not isinstance(qty, str) else qty,
        str(g("unit")),
        int(g("unit_net_grosze")),
        int(g("net_grosze")),
        str(g("vat_rate")),
        int(g("vat_grosze")),
        int(g("gross_grosze")),
        period,
    )


async def build_view(session: AsyncSession, ctx: Context, doc: Document) -> DocumentView:
    snap = doc.snapshot
    payer, gmina = snap.get("payer", {}), snap.get("gmina", {})
    account = payer.get("account", "")
    v = DocumentView(
        kind=doc.kind,
        label=KIND_LABELS.get(doc.kind, "Dokument"),
        number=doc.number or "",
        title=doc.title,
        issued_on=doc.issued_on,
        seller=Party(gmina.get("name", ""), gmina.get("address", ""), gmina.get("nip", "")),
        buyer=Party(
            payer.get("name", "") or doc.payer_id, payer.get("address", ""), payer.get("nip", "")
        ),
        payer_id=doc.payer_id,
        gross=doc.gross_grosze,
        account=account,
        bank=gmina.get("bank", ""),
        qr_payload="",
    )
    if doc.charge_id:
        lines = await session.execute(
            select(ChargeLine)
            .where(ChargeLine.charge_id == doc.charge_id)
            .order_by(ChargeLine.position)
        )
        v.lines = [line_view(ln) for ln in lines.scalars()]
        recs = await session.execute(
            select(Receivable.due_date, Receivable.amount_grosze)
            .where(Receivable.charge_id == doc.charge_id, Receivable.kind == "charge")
            .order_by(Receivable.due_date)
        )
        v.installments = [(d, a) for d, a in recs.all()]
    if doc.kind == "correction":
        v.corrects_number = snap.get("corrects_number", "")
        v.reason = doc.reason
        v.original_lines = [line_view(x) for x in snap.get("original_lines", [])]
        v.lines = [line_view(x) for x in snap.get("lines", [])]
    if doc.kind == "reminder":
        v.cost = int(snap.get("cost", 0))
        v.arrears = [
            ArrearsItem(
                a["title"],
                a["number"],
                date.fromisoformat(a["due_date"]),
                a["principal"],
                a["interest"],
            )
            for a in snap.get("arrears", [])
        ]
    if v.gross > 0 and account:
        v.qr_payload = zbp_payload(
            nip=gmina.get("nip", ""),
            account=account,
            amount_grosze=v.gross,
            recipient=v.seller.name,
            title=v.number or v.title,
        )
    return v


async def document_file(session: AsyncSession, ctx: Context, doc: Document) -> bytes:
    """The document's file: stored at issue or upload, else rendered now and kept for good."""
    stored = await service.stored_file(session, doc.id)
    if stored is not None:
        return stored
    from billing.documents.render import render_document  # PDF libraries only when rendering

    content = render_document(await build_view(session, ctx, doc))
    return await service.keep_file(session, doc.id, content)


@dataclass(frozen=True)
class Instructions:
    recipient: str
    recipient_address: str
    recipient_nip: str
    account: str
    amount: int
    title: str
    payer_name: str
    payer_address: str
    qr_payload: str

    @property
    def words(self) -> str:
        return in_words(self.amount)


async def instructions(
    session: AsyncSession, ctx: Context, payer_id: str, charge_id: str, as_of: date
) -> Instructions:
    """How to pay one charge, or everything owed now (charge_id empty)."""
    payer = await payers.get(session, payer_id)
    recs = [r for r in await receivables_of(session, payer_id) if r.open]
    if charge_id:
        recs = [r for r in recs if r.charge_id == charge_id]
        doc = (
            (await session.execute(select(Document).where(Document.charge_id == charge_id)))
            .scalars()
            .first()
        )
        charge = await session.get(Charge, charge_id)
        if charge is None or charge.payer_id != payer_id:
            raise NotFound("Nie ma takiej należności.", field="charge_id")
        title = (doc.number if doc and doc.number else charge.title)[:54]
    else:
        title = f"Należności, kartoteka {payer_id}"
    amount = sum(
        r.amount_grosze
        - r.principal_paid_grosze
        + interest_of(ctx, r, as_of)
        + (r.interest_owed_grosze if r.kind != "charge" else 0)
        for r in recs
    )
    if not charge_id:
        amount = max(amount - payer.credit_grosze, 0)
    g = ctx.gmina
    return Instructions(
        recipient=g.name,
        recipient_address=g.address,
        recipient_nip=g.nip,
        account=payer.virtual_account,
        amount=amount,
        title=title,
        payer_name=payer.name or payer_id,
        payer_address=payer.address,
        qr_payload=zbp_payload(
            nip=g.nip,
            account=payer.virtual_account,
            amount_grosze=amount,
            recipient=g.name,
            title=title,
        ),
    )


def slip_pdf(i: Instructions, printed_on: date) -> bytes:
    from billing.documents.slip import render_slip  # PDF libraries only when rendering

    view = SlipView(
        i.recipient,
        i.recipient_address,
        group(i.account),
        i.amount,
        i.words,
        i.payer_name,
        i.payer_address,
        i.title,
        i.qr_payload,
    )
    return render_slip(view, datetime.combine(printed_on, time(12), UTC))
