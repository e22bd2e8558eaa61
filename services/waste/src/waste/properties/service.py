"""Registering and finding properties; properties without a declaration."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import InvalidArgument, NotFound
from waste.declarations.models import Declaration, DeclarationVersion
from waste.properties.models import KINDS, Property

KIND_LABELS = {
    "single_family": "zabudowa jednorodzinna",
    "multi_family": "zabudowa wielolokalowa",
    "non_residential": "nieruchomość niezamieszkała",
    "cottage": "domek letniskowy / rekreacyjna",
}


async def register(
    session: AsyncSession, *, property_id: str, payer_id: str, address: str, kind: str
) -> tuple[Property, dict[str, str] | None]:
    """Add a property or update its payer, address or kind; return it and its previous state."""
    if not payer_id.strip():
        raise InvalidArgument("Podaj identyfikator płatnika.", field="payer_id")
    if len(payer_id.strip()) > 32:
        raise InvalidArgument("Identyfikator płatnika jest zbyt długi.", field="payer_id")
    if not address.strip():
        raise InvalidArgument("Podaj adres nieruchomości.", field="address")
    if kind not in KINDS:
        raise InvalidArgument("Wybierz rodzaj nieruchomości.", field="kind")
    pid = property_id.strip() or f"N-{uuid.uuid4().hex[:8].upper()}"
    if len(pid) > 40:
        raise InvalidArgument("Identyfikator nieruchomości jest zbyt długi.", field="property_id")
    existing = await session.get(Property, pid)
    before = as_dict(existing) if existing else None
    if existing is None:
        existing = Property(id=pid, created_at=datetime.now(UTC))
        session.add(existing)
    existing.payer_id = payer_id.strip()
    existing.address = address.strip()[:300]
    existing.kind = kind
    await session.flush()
    return existing, before


def as_dict(p: Property) -> dict[str, str]:
    return {"payer_id": p.payer_id, "address": p.address, "kind": p.kind}


async def get_for_payer(session: AsyncSession, property_id: str, payer_id: str) -> Property:
    """The property when it belongs to the payer; otherwise NotFound (existence not revealed)."""
    found = await session.get(Property, property_id)
    if found is None or found.payer_id != payer_id:
        raise NotFound("Nie znaleziono nieruchomości.", field="property_id")
    return found


async def list_properties(
    session: AsyncSession, *, payer_id: str = "", query: str = ""
) -> list[Property]:
    stmt = select(Property).order_by(Property.id).limit(200)
    if payer_id:
        stmt = stmt.where(Property.payer_id == payer_id)
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(
            or_(
                Property.id.ilike(like), Property.address.ilike(like), Property.payer_id.ilike(like)
            )
        )
    return list((await session.execute(stmt)).scalars())


async def without_declaration(session: AsyncSession, limit: int = 500) -> list[Property]:
    """Properties with no confirmed declaration version (the office should ask for one)."""
    confirmed = (
        exists()
        .where(Declaration.property_id == Property.id)
        .where(DeclarationVersion.declaration_id == Declaration.id)
        .where(DeclarationVersion.status == "confirmed")
    )
    stmt = select(Property).where(~confirmed).order_by(Property.id).limit(limit or 500)
    return list((await session.execute(stmt)).scalars())


async def declared_ids(session: AsyncSession, property_ids: list[str]) -> set[str]:
    rows = await session.execute(
        select(Declaration.property_id)
        .join(DeclarationVersion, DeclarationVersion.declaration_id == Declaration.id)
        .where(Declaration.property_id.in_(property_ids), DeclarationVersion.status == "confirmed")
    )
    return set(rows.scalars())
