"""Filing, confirming and rejecting information/declarations; the objects in force by date."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import DomainError, InvalidArgument, NotFound
from property_tax.assessment.rules import ObjectBasis, effective_from
from property_tax.filings.models import CoOwner, Filing, TaxObject
from property_tax.filings.rules import parse_objects
from property_tax.filings.schemas import FilingIn
from property_tax.taxpayers import service as taxpayers
from property_tax.taxpayers.models import Taxpayer
from property_tax.taxpayers.service import FORMS

STATUSES = ("draft", "confirmed", "rejected")


async def _taxpayer_for(session: AsyncSession, data: FilingIn) -> Taxpayer:
    found = await taxpayers.find(session, data.payer_id)
    if found is not None:
        return found
    if data.taxpayer is None:
        raise NotFound(
            "Nie ma takiego podatnika w ewidencji — podaj dane podatnika.", field="payer_id"
        )
    made, _ = await taxpayers.register(session, data.taxpayer)
    return made


async def file(session: AsyncSession, data: FilingIn) -> Filing:
    """Store a filing: a draft from a resident, confirmed at once when a clerk enters it."""
    if data.event_date is None:
        raise InvalidArgument(
            "Podaj datę zdarzenia (nabycia, zbycia, zakończenia budowy).", field="event_date"
        )
    payer = await _taxpayer_for(session, data)
    form = data.form or FORMS[payer.kind]
    if form not in FORMS.values():
        raise InvalidArgument("Nieznany formularz (IN-1 albo DN-1).", field="form")
    if form != FORMS[payer.kind]:
        raise InvalidArgument(
            "Osoba fizyczna składa informację IN-1, osoba prawna deklarację DN-1.", field="form"
        )
    objects = parse_objects(data.objects)
    start = effective_from(data.event_date)
    year = data.year or start.year
    if form == "DN-1" and not 2000 <= year <= 2200:
        raise InvalidArgument("Podaj rok, którego dotyczy deklaracja.", field="year")
    declared = data.declared_tax_grosze if form == "DN-1" else None
    if declared is not None and (declared < 0 or declared % 100):
        raise InvalidArgument(
            "Kwotę podatku podaj w pełnych złotych (bez groszy).", field="declared_tax"
        )
    now = datetime.now(UTC)
    filing = Filing(
        id=str(uuid.uuid4()), payer_id=payer.payer_id, form=form,
        status="draft" if data.as_draft or not data.by_staff else "confirmed",
        event_date=data.event_date, effective_from=start, filed_on=data.filed_on,
        year=year if form == "DN-1" else 0, declared_tax_grosze=declared,
        filed_by=data.actor[:100], by_staff=data.by_staff,
        decided_by=data.actor[:100] if data.by_staff and not data.as_draft else "",
        decided_at=now if data.by_staff and not data.as_draft else None,
        reason="", created_at=now,
    )  # fmt: skip
    session.add(filing)
    for i, o in enumerate(objects):
        obj_id = str(uuid.uuid4())
        session.add(
            TaxObject(
                id=obj_id, filing_id=filing.id, position=i + 1, category=o.category,
                location=o.location, area=o.area, area_reduced=o.area_reduced,
                value_grosze=o.value_grosze, share_num=o.share.numerator,
                share_den=o.share.denominator,
            )
        )  # fmt: skip
        for j, (name, share) in enumerate(o.co_owners):
            session.add(
                CoOwner(object_id=obj_id, position=j + 1, name=name,
                        share_num=share.numerator, share_den=share.denominator)
            )  # fmt: skip
    await session.flush()
    return await get(session, filing.id)


async def get(session: AsyncSession, filing_id: str) -> Filing:
    stmt = select(Filing).where(Filing.id == filing_id)
    found = (
        await session.execute(stmt.execution_options(populate_existing=True))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("Nie ma takiego zgłoszenia.", field="filing_id")
    return found


async def decide(
    session: AsyncSession, filing_id: str, *, confirm: bool, actor: str, reason: str = ""
) -> Filing:
    """Confirm a draft (it comes into force) or reject it with a reason the taxpayer sees."""
    filing = await get(session, filing_id)
    if filing.status != "draft":
        raise DomainError(
            "To zgłoszenie zostało już rozpatrzone.", code="filing.decided", field="filing_id"
        )
    if not confirm and not reason.strip():
        raise InvalidArgument("Podaj przyczynę odrzucenia.", field="reason")
    filing.status = "confirmed" if confirm else "rejected"
    filing.reason = reason.strip()[:500]
    filing.decided_by = actor[:100]
    filing.decided_at = datetime.now(UTC)
    await session.flush()
    return filing


def as_dict(f: Filing) -> dict[str, Any]:
    return {"id": f.id, "payer_id": f.payer_id, "form": f.form, "status": f.status,
            "event_date": f.event_date.isoformat(), "objects": len(f.objects)}  # fmt: skip


async def list_filings(
    session: AsyncSession, *, payer_id: str = "", status: str = "", limit: int = 200
) -> list[Filing]:
    stmt = select(Filing).order_by(Filing.created_at.desc()).limit(min(limit or 200, 1000))
    if payer_id:
        stmt = stmt.where(Filing.payer_id == payer_id)
    if status:
        if status not in STATUSES:
            raise InvalidArgument("Nieznany stan zgłoszenia.", field="status")
        stmt = stmt.where(Filing.status == status)
    return list((await session.execute(stmt)).scalars())


async def confirmed(
    session: AsyncSession, payer_id: str, before: date | None = None
) -> list[Filing]:
    """Confirmed filings of a payer in force order (effective date, then as filed)."""
    stmt = select(Filing).where(Filing.payer_id == payer_id, Filing.status == "confirmed")
    if before is not None:
        stmt = stmt.where(Filing.effective_from <= before)
    stmt = stmt.order_by(Filing.effective_from, Filing.created_at)
    return list((await session.execute(stmt)).scalars())


async def in_force(session: AsyncSession, payer_id: str, on: date) -> Filing | None:
    """The confirmed filing in force on a date; else the latest confirmed one (future)."""
    found = await confirmed(session, payer_id)
    current = [f for f in found if f.effective_from <= on]
    return current[-1] if current else (found[-1] if found else None)


def basis(objects: Sequence[TaxObject]) -> tuple[ObjectBasis, ...]:
    return tuple(
        ObjectBasis(o.category, o.area, o.area_reduced, o.value_grosze, o.share) for o in objects
    )
