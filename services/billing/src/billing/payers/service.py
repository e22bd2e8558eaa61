"""Payers: created on first sight (numbered, with a virtual account), details kept current."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.pl import nip as stdnum_nip

from billing.bulk import one_of, update_rows
from billing.numbering.service import take
from billing.payers.accounts import virtual_account
from billing.payers.models import Payer
from portal_platform.db import insert_ignoring_conflicts
from portal_platform.errors import InvalidArgument, NotFound

PAYER_SERIES = "payer"


@dataclass(frozen=True)
class Details:
    name: str = ""
    address: str = ""
    nip: str = ""


@dataclass(frozen=True)
class AccountScheme:
    """How virtual accounts are made: the gmina's account and the prefix after its sort code."""

    gmina_account: str
    prefix: str

    def for_number(self, number: int) -> str:
        return virtual_account(self.gmina_account, self.prefix, number)


def validate_details(d: Details) -> Details:
    """Trimmed details; a NIP must be valid (python-stdnum)."""
    nip = d.nip.replace("-", "").replace(" ", "")
    if nip and not stdnum_nip.is_valid(nip):
        raise InvalidArgument("Nieprawidłowy NIP płatnika.", field="nip")
    if len(d.name) > 200:
        raise InvalidArgument("Nazwa płatnika jest za długa (maks. 200 znaków).", field="name")
    if len(d.address) > 300:
        raise InvalidArgument("Adres płatnika jest za długi (maks. 300 znaków).", field="address")
    return Details(d.name.strip(), d.address.strip(), nip)


async def ensure(
    session: AsyncSession,
    scheme: AccountScheme,
    payer_ids: Iterable[str],
    details: Mapping[str, Details] | None = None,
) -> None:
    """Create the payers not known yet; update names/addresses given in `details`."""
    ids = sorted(set(payer_ids))
    if not ids:
        return
    known: dict[str, tuple[str, str, str]] = {}
    for i in range(0, len(ids), 1000):
        chunk = ids[i : i + 1000]
        rows = await session.execute(
            select(Payer.id, Payer.name, Payer.address, Payer.nip).where(
                one_of(session, Payer.id, chunk)
            )
        )
        known.update({pid: (name, address, nip) for pid, name, address, nip in rows.all()})
    missing = [p for p in ids if p not in known]
    details = details or {}
    if missing:
        first = (await take(session, {PAYER_SERIES: len(missing)}))[PAYER_SERIES]
        now = datetime.now(UTC)
        new_rows = []
        for n, payer_id in enumerate(missing):
            d = details.get(payer_id, Details())
            new_rows.append(
                {
                    "id": payer_id,
                    "number": first + n,
                    "name": d.name,
                    "address": d.address,
                    "nip": d.nip,
                    "virtual_account": scheme.for_number(first + n),
                    "credit_grosze": 0,
                    "created_at": now,
                }
            )
        await session.execute(
            insert_ignoring_conflicts(session, Payer.__table__, ["id"]),
            new_rows,
        )
    # Known payers: only details that were given and differ from the stored ones are written.
    changed = []
    for payer_id, (name, address, nip) in known.items():
        new = details.get(payer_id)
        if new is None:
            continue
        row = {
            "id": payer_id,
            "name": new.name or name,
            "address": new.address or address,
            "nip": new.nip or nip,
        }
        if (row["name"], row["address"], row["nip"]) != (name, address, nip):
            changed.append(row)
    if changed and not await update_rows(session, Payer.__table__, changed):  # type: ignore[arg-type]
        await session.execute(update(Payer), changed)


async def get(session: AsyncSession, payer_id: str) -> Payer:
    payer = await session.get(Payer, payer_id)
    if payer is None:
        raise NotFound("Nie ma takiej kartoteki.", field="payer_id")
    return payer


async def upsert(
    session: AsyncSession, scheme: AccountScheme, payer_id: str, details: Details
) -> Payer:
    """Create or update a payer's details (a clerk's action)."""
    if not payer_id.strip() or len(payer_id) > 32:
        raise InvalidArgument("Nieprawidłowy identyfikator płatnika.", field="payer_id")
    d = validate_details(details)
    await ensure(session, scheme, [payer_id])
    await session.execute(
        update(Payer).where(Payer.id == payer_id).values(name=d.name, address=d.address, nip=d.nip)
    )
    payer = await get(session, payer_id)
    await session.refresh(payer)
    return payer


async def search(session: AsyncSession, query: str, limit: int = 50) -> list[Payer]:
    """Payers whose id, name, address or virtual account contains `query`."""
    q = f"%{query.strip()}%"
    stmt = select(Payer).order_by(Payer.id).limit(max(1, min(limit or 50, 500)))
    if query.strip():
        stmt = stmt.where(
            or_(
                Payer.id.ilike(q),
                Payer.name.ilike(q),
                Payer.address.ilike(q),
                Payer.virtual_account.like(q.replace(" ", "")),
            )
        )
    return list((await session.execute(stmt)).scalars())


async def by_accounts(session: AsyncSession, accounts: Iterable[str]) -> dict[str, str]:
    """virtual account → payer id, for the given accounts."""
    accs = sorted({a for a in accounts if a})
    out: dict[str, str] = {}
    for i in range(0, len(accs), 5000):
        rows = await session.execute(
            select(Payer.virtual_account, Payer.id).where(
                one_of(session, Payer.virtual_account, accs[i : i + 5000])
            )
        )
        out.update({a: p for a, p in rows.all()})
    return out
