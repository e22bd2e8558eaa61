"""Registering and finding taxpayers; identifiers checked with python-stdnum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.exceptions import ValidationError
from stdnum.pl import nip, pesel

from portal_platform.errors import InvalidArgument, NotFound
from property_tax.taxpayers.models import Taxpayer

KINDS = {"person": "osoba fizyczna", "company": "osoba prawna / jednostka organizacyjna"}
FORMS = {"person": "IN-1", "company": "DN-1"}


@dataclass(frozen=True)
class TaxpayerIn:
    payer_id: str
    kind: str
    name: str
    address: str = ""
    identifier: str = ""


def clean(t: TaxpayerIn) -> TaxpayerIn:
    """The same data checked and normalised; a clear Polish message names a bad field."""
    payer_id = t.payer_id.strip()
    if not payer_id or len(payer_id) > 32:
        raise InvalidArgument("Podaj numer kartoteki płatnika.", field="payer_id")
    if t.kind not in KINDS:
        raise InvalidArgument("Wybierz: osoba fizyczna lub osoba prawna.", field="kind")
    name = " ".join(t.name.split())
    if not name:
        raise InvalidArgument("Podaj imię i nazwisko albo nazwę podatnika.", field="name")
    ident = "".join(ch for ch in t.identifier if ch.isalnum())
    if ident:
        try:
            ident = pesel.validate(ident) if t.kind == "person" else nip.validate(ident)
        except ValidationError:
            what = "PESEL" if t.kind == "person" else "NIP"
            raise InvalidArgument(f"Nieprawidłowy numer {what}.", field="identifier") from None
    return TaxpayerIn(payer_id, t.kind, name[:200], " ".join(t.address.split())[:300], ident)


def as_dict(t: Taxpayer) -> dict[str, Any]:
    return {"payer_id": t.payer_id, "kind": t.kind, "name": t.name, "address": t.address}


async def register(
    session: AsyncSession, data: TaxpayerIn
) -> tuple[Taxpayer, dict[str, Any] | None]:
    """Create or update a taxpayer; returns it and its state before."""
    data = clean(data)
    now = datetime.now(UTC)
    found = await session.get(Taxpayer, data.payer_id)
    before = as_dict(found) if found else None
    if found is None:
        found = Taxpayer(payer_id=data.payer_id, created_at=now)
        session.add(found)
    found.kind, found.name, found.address = data.kind, data.name, data.address
    found.identifier = data.identifier
    found.updated_at = now
    await session.flush()
    return found, before


async def get(session: AsyncSession, payer_id: str) -> Taxpayer:
    found = await session.get(Taxpayer, payer_id)
    if found is None:
        raise NotFound(
            "Nie ma takiego podatnika w ewidencji podatku od nieruchomości.", field="payer_id"
        )
    return found


async def find(session: AsyncSession, payer_id: str) -> Taxpayer | None:
    return await session.get(Taxpayer, payer_id)


async def search(session: AsyncSession, query: str, limit: int) -> list[Taxpayer]:
    stmt = select(Taxpayer).order_by(Taxpayer.name, Taxpayer.payer_id).limit(min(limit or 50, 500))
    q = query.strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                Taxpayer.payer_id.ilike(like),
                Taxpayer.name.ilike(like),
                Taxpayer.address.ilike(like),
            )
        )
    return list((await session.execute(stmt)).scalars())
