"""Booking charges in payers' ledgers (exactly once per module and idempotency key)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.bulk import insert_new_returning, insert_rows
from billing.charges.models import Charge, ChargeLine
from billing.charges.schemas import DECREASE_KINDS, DOCUMENT_KINDS, BookedCharge, ChargeIn
from portal_platform.db import insert_ignoring_conflicts
from portal_platform.errors import InvalidArgument

VAT_RATES = frozenset({"23", "8", "5", "0", "zw", "np", "oo"})
MAX_QUANTITY = Decimal("99999999999")


def validate(charge: ChargeIn) -> None:
    """Refuse a charge that cannot be booked; the message names the field."""
    if not charge.payer_id.strip():
        raise InvalidArgument("Brak identyfikatora płatnika.", field="payer_id")
    if len(charge.payer_id) > 32:
        raise InvalidArgument("Identyfikator płatnika jest za długi.", field="payer_id")
    if not charge.module.strip() or len(charge.module) > 40:
        raise InvalidArgument("Brak klucza modułu.", field="module")
    if not charge.idempotency_key.strip():
        raise InvalidArgument("Brak klucza idempotencji.", field="idempotency_key")
    if charge.document_kind not in DOCUMENT_KINDS:
        raise InvalidArgument("Nieznany rodzaj dokumentu.", field="document_kind")
    if not charge.lines:
        raise InvalidArgument("Należność bez pozycji.", field="lines")
    total = charge.gross_grosze
    if total == 0 and charge.document_kind == "installment":
        raise InvalidArgument("Kwota raty nie może być zerowa.", field="lines")
    if total < 0 and charge.document_kind not in DECREASE_KINDS:
        raise InvalidArgument(
            "Kwota faktury i raty musi być dodatnia; zmniejszenie należności wysyła się "
            "jako zawiadomienie, decyzję lub korektę.",
            field="lines",
        )
    if len(charge.corrects_key) > 200:
        raise InvalidArgument("Klucz korygowanej należności jest za długi.", field="corrects_key")
    for i, line in enumerate(charge.lines):
        where = f"lines[{i}]"
        if line.vat_rate not in VAT_RATES:
            raise InvalidArgument(
                f"Nieznana stawka VAT w pozycji {i + 1}.", field=f"{where}.vat_rate"
            )
        if line.net_grosze + line.vat_grosze != line.gross_grosze:
            raise InvalidArgument(
                f"Pozycja {i + 1}: netto + VAT nie równa się brutto.", field=f"{where}.gross_grosze"
            )
        if abs(line.quantity) > MAX_QUANTITY:
            raise InvalidArgument(
                f"Pozycja {i + 1}: nieprawidłowa ilość.", field=f"{where}.quantity"
            )


async def book_charges(session: AsyncSession, charges: Sequence[ChargeIn]) -> list[BookedCharge]:
    """Book the charges not booked yet; return those booked now (repeats are skipped)."""
    for c in charges:
        validate(c)
    now = datetime.now(UTC)
    rows = []
    by_id: dict[str, ChargeIn] = {}
    for c in charges:
        charge_id = str(uuid.uuid4())
        by_id[charge_id] = c
        rows.append(
            {
                "id": charge_id,
                "payer_id": c.payer_id,
                "module": c.module,
                "idempotency_key": c.idempotency_key,
                "document_kind": c.document_kind,
                "title": c.title[:300],
                "net_grosze": sum(line.net_grosze for line in c.lines),
                "vat_grosze": sum(line.vat_grosze for line in c.lines),
                "gross_grosze": c.gross_grosze,
                "due_date": min(c.due_dates) if c.due_dates else None,
                "due_dates": [d.isoformat() for d in c.due_dates],
                "event_id": c.event_id,
                "booked_at": now,
            }
        )
    if not rows:
        return []
    table = Charge.__table__
    conflict = ["module", "idempotency_key"]
    inserted = await insert_new_returning(session, table, rows, conflict)  # type: ignore[arg-type]
    if inserted is None:
        stmt = insert_ignoring_conflicts(session, table, conflict).returning(table.c.id)
        inserted = [r[0] for r in (await session.execute(stmt, rows)).all()]
    # Two requests with one key in the same batch: the table keeps one, drop the twin here.
    line_rows = []
    booked = []
    for charge_id in inserted:
        c = by_id[charge_id]
        booked.append(
            BookedCharge(
                charge_id,
                c.payer_id,
                c.module,
                c.idempotency_key,
                c.gross_grosze,
            )
        )
        for pos, line in enumerate(c.lines, start=1):
            line_rows.append(
                {
                    "charge_id": charge_id,
                    "position": pos,
                    "description": line.description[:300],
                    "quantity": line.quantity,
                    "unit": line.unit[:20],
                    "unit_net_grosze": line.unit_net_grosze,
                    "net_grosze": line.net_grosze,
                    "vat_rate": line.vat_rate,
                    "vat_grosze": line.vat_grosze,
                    "gross_grosze": line.gross_grosze,
                    "period_from": line.period_from,
                    "period_to": line.period_to,
                }
            )
    await insert_rows(session, ChargeLine.__table__, line_rows)  # type: ignore[arg-type]
    return booked


async def list_charges(session: AsyncSession, *, payer_id: str, module: str = "") -> list[Charge]:
    """The payer's charges, newest first, optionally of one module."""
    stmt = select(Charge).where(Charge.payer_id == payer_id)
    if module:
        stmt = stmt.where(Charge.module == module)
    stmt = stmt.order_by(Charge.booked_at.desc(), Charge.id)
    return list((await session.execute(stmt)).scalars())
