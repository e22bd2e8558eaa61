"""Filing, confirming and rejecting declaration versions; what a payer has declared."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import DomainError, InvalidArgument, NotFound
from portal_platform.messaging.outbox import Outbox
from waste.assessment.context import WaterSource, to_basis
from waste.assessment.fees import Basis, monthly_fee, version_for
from waste.assessment.recalc import RecalcResult, after_declaration_change
from waste.audit.service import record
from waste.declarations import rules
from waste.declarations.models import Declaration, DeclarationVersion
from waste.declarations.schemas import Filing
from waste.properties.models import Property
from waste.properties.service import get_for_payer
from waste.rates.service import rate_lookup


@dataclass
class PropertyDeclarations:
    property: Property
    current: DeclarationVersion | None
    history: list[DeclarationVersion]


async def _declaration(session: AsyncSession, property_id: str, payer_id: str) -> Declaration:
    found = (
        await session.execute(
            select(Declaration).where(
                Declaration.property_id == property_id, Declaration.payer_id == payer_id
            )
        )
    ).scalar_one_or_none()
    if found is None:
        found = Declaration(
            id=str(uuid.uuid4()),
            property_id=property_id,
            payer_id=payer_id,
            created_at=datetime.now(UTC),
        )
        session.add(found)
        await session.flush()
    return found


async def _versions(session: AsyncSession, declaration_id: str) -> list[DeclarationVersion]:
    return list(
        (
            await session.execute(
                select(DeclarationVersion)
                .where(DeclarationVersion.declaration_id == declaration_id)
                .order_by(DeclarationVersion.number.desc())
            )
        ).scalars()
    )


async def fee_of(session: AsyncSession, basis: Basis) -> int | None:
    """The monthly fee of a version at the rates of the month it applies from (None: no rate)."""
    if basis.method in ("cottage", "none"):
        return 0 if basis.method == "none" else None
    rate = (await rate_lookup(session, basis.applies_from.year))(
        basis.method, basis.applies_from.month
    )
    return monthly_fee(basis, rate) if rate else None


async def _is_decrease(session: AsyncSession, new: DeclarationVersion) -> bool:
    others = [
        to_basis(v)
        for v in await _versions(session, new.declaration_id)
        if v.status == "confirmed" and v.id != new.id
    ]
    old = version_for(others, new.applies_from)
    if old is None:
        return False
    candidate = to_basis(new)
    old_fee, new_fee = await fee_of(session, old), await fee_of(session, candidate)
    if old_fee is not None and new_fee is not None:
        return new_fee < old_fee
    if old.method != candidate.method:
        return candidate.method == "none"
    return (
        candidate.residents < old.residents
        or candidate.area_m2 < old.area_m2
        or candidate.households < old.households
        or candidate.bins * candidate.collections_per_month < old.bins * old.collections_per_month
    )


async def file(
    session: AsyncSession, outbox: Outbox, filing: Filing, water: WaterSource, *, today: date
) -> tuple[DeclarationVersion, RecalcResult]:
    """File a version: a draft (residents, or a clerk's choice) or confirmed at once (paper form)."""
    prop = await get_for_payer(session, filing.property_id, filing.payer_id)
    declared = rules.parse_input(filing.raw, prop.kind)
    if filing.change_date is None:
        raise InvalidArgument("Podaj datę zamieszkania lub zmiany danych.", field="change_date")
    if filing.filed_on > today:
        raise InvalidArgument("Data złożenia nie może być z przyszłości.", field="filed_on")
    decl = await _declaration(session, prop.id, filing.payer_id)
    existing = await _versions(session, decl.id)
    first = not any(v.status == "confirmed" for v in existing)
    version = DeclarationVersion(
        id=str(uuid.uuid4()),
        declaration_id=decl.id,
        number=(existing[0].number + 1) if existing else 1,
        status="draft",
        source="clerk" if filing.by_staff else "resident",
        change_date=filing.change_date,
        applies_from=rules.first_of_month(filing.change_date),
        filed_on=filing.filed_on,
        late=rules.is_late(first=first, change_date=filing.change_date, filed_on=filing.filed_on),
        reason=filing.reason.strip()[:500] if filing.by_staff else "",
        filed_by=filing.actor,
        decided_by="",
        rejection_reason="",
        created_at=datetime.now(UTC),
        **declared.__dict__,
    )
    session.add(version)
    await session.flush()
    if filing.by_staff and not filing.as_draft:
        return await _confirm(
            session, outbox, version, filing.reason, filing.actor, water, today=today
        )
    return version, RecalcResult()


async def _confirm(
    session: AsyncSession,
    outbox: Outbox,
    version: DeclarationVersion,
    reason: str,
    actor: str,
    water: WaterSource,
    *,
    today: date,
) -> tuple[DeclarationVersion, RecalcResult]:
    rules.check_decrease(
        decrease=await _is_decrease(session, version),
        late=version.late,
        applies_from=version.applies_from,
        filed_on=version.filed_on,
        reason=reason,
        by_staff=True,
    )
    version.status = "confirmed"
    version.decided_by = actor
    version.decided_at = datetime.now(UTC)
    if reason.strip():
        version.reason = reason.strip()[:500]
    await session.flush()
    result = await after_declaration_change(
        session,
        outbox,
        version.declaration_id,
        version.applies_from,
        water,
        today=today,
        cause=f"deklaracja wersja {version.number}",
    )
    await record(
        session,
        actor=actor,
        action="waste.declaration.confirmed",
        object_id=version.id,
        after={
            "declaration_id": version.declaration_id,
            "number": version.number,
            "reason": version.reason,
        },
    )
    return version, result


async def confirm(
    session: AsyncSession,
    outbox: Outbox,
    version_id: str,
    *,
    reason: str,
    actor: str,
    water: WaterSource,
    today: date,
) -> tuple[DeclarationVersion, RecalcResult]:
    """A clerk confirms a resident's draft (the checks of a paper form apply)."""
    version = await session.get(DeclarationVersion, version_id)
    if version is None:
        raise NotFound("Nie znaleziono deklaracji.", field="version_id")
    if version.status != "draft":
        raise DomainError("Deklaracja została już rozpatrzona.", code="declaration.decided")
    return await _confirm(session, outbox, version, reason, actor, water, today=today)


async def reject(
    session: AsyncSession, version_id: str, *, reason: str, actor: str
) -> DeclarationVersion:
    version = await session.get(DeclarationVersion, version_id)
    if version is None:
        raise NotFound("Nie znaleziono deklaracji.", field="version_id")
    if version.status != "draft":
        raise DomainError("Deklaracja została już rozpatrzona.", code="declaration.decided")
    if not reason.strip():
        raise InvalidArgument("Podaj powód odrzucenia.", field="reason")
    version.status = "rejected"
    version.rejection_reason = reason.strip()[:500]
    version.decided_by = actor
    version.decided_at = datetime.now(UTC)
    await record(
        session, actor=actor, action="waste.declaration.rejected", object_id=version.id,
        after={"reason": version.rejection_reason},
    )  # fmt: skip
    return version


async def for_payer(
    session: AsyncSession, payer_id: str, *, today: date
) -> list[PropertyDeclarations]:
    """Each property of the payer with the version in force today and the full history."""
    props = list(
        (
            await session.execute(
                select(Property).where(Property.payer_id == payer_id).order_by(Property.id)
            )
        ).scalars()
    )
    out = []
    for prop in props:
        decl = (
            await session.execute(
                select(Declaration).where(
                    Declaration.property_id == prop.id, Declaration.payer_id == payer_id
                )
            )
        ).scalar_one_or_none()
        history = await _versions(session, decl.id) if decl else []
        confirmed = [v for v in history if v.status == "confirmed"]
        in_force = [v for v in confirmed if v.applies_from <= today]
        current = max(in_force, key=lambda v: (v.applies_from, v.number), default=None)
        if current is None and confirmed:
            current = min(confirmed, key=lambda v: (v.applies_from, v.number))
        out.append(PropertyDeclarations(prop, current, history))
    return out


async def search(
    session: AsyncSession, *, query: str, status: str, limit: int
) -> list[tuple[DeclarationVersion, Declaration, Property]]:
    stmt = (
        select(DeclarationVersion, Declaration, Property)
        .join(Declaration, Declaration.id == DeclarationVersion.declaration_id)
        .join(Property, Property.id == Declaration.property_id)
        .order_by(DeclarationVersion.created_at.desc())
        .limit(min(limit or 100, 500))
    )
    if status:
        stmt = stmt.where(DeclarationVersion.status == status)
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(
            or_(
                Declaration.payer_id.ilike(like),
                Property.id.ilike(like),
                Property.address.ilike(like),
            )
        )
    return [tuple(r) for r in (await session.execute(stmt)).all()]  # type: ignore[misc]


async def version_context(
    session: AsyncSession, version_id: str
) -> tuple[DeclarationVersion, Declaration, Property]:
    version = await session.get(DeclarationVersion, version_id)
    if version is None:
        raise NotFound("Nie znaleziono deklaracji.", field="version_id")
    decl = await session.get(Declaration, version.declaration_id)
    assert decl is not None
    prop = await session.get(Property, decl.property_id)
    assert prop is not None
    return version, decl, prop


async def count_drafts(session: AsyncSession) -> int:
    return int(
        (
            await session.execute(
                select(func.count())
                .select_from(DeclarationVersion)
                .where(DeclarationVersion.status == "draft")
            )
        ).scalar_one()
    )
