"""Reading queries: one reading, a history, the clerk's verification queue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import NotFound
from water.access import Scope
from water.premises import service as premises_service
from water.premises.models import Premises
from water.readings.models import Reading, ReadingValue

NOT_FOUND = "Nie znaleziono odczytu."


async def get_reading(session: AsyncSession, scope: Scope, reading_id: str) -> Reading:
    reading = await session.get(Reading, reading_id) if reading_id else None
    if reading is None or not scope.allows(reading.payer_id):
        raise NotFound(NOT_FOUND)
    return reading


async def list_readings(
    session: AsyncSession,
    scope: Scope,
    *,
    payer_id: str = "",
    premises_id: str = "",
    meter_id: str = "",
    limit: int = 200,
) -> list[Reading]:
    """History of readings (newest first) of a payer, premises or one meter."""
    stmt = select(Reading)
    if premises_id:
        await premises_service.get_premises(session, scope, premises_id)
        stmt = stmt.where(Reading.premises_id == premises_id)
    if payer_id:
        scope.require_payer(payer_id)
        stmt = stmt.where(Reading.payer_id == payer_id)
    elif not scope.is_staff:
        stmt = stmt.where(Reading.payer_id.in_(sorted(scope.payers or ())))
    if meter_id:
        stmt = stmt.where(
            exists().where(ReadingValue.reading_id == Reading.id, ReadingValue.meter_id == meter_id)
        )
    stmt = stmt.order_by(Reading.reading_date.desc(), Reading.created_at.desc())
    return list((await session.execute(stmt.limit(max(1, min(limit or 200, 1000))))).scalars())


async def list_for_verification(
    session: AsyncSession,
    *,
    status: str = "pending",
    flagged_only: bool = False,
    group: str = "",
    query: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Reading], int]:
    """The clerk's queue: filtered readings (oldest first) and how many match."""
    stmt = select(Reading).join(Premises, Premises.id == Reading.premises_id)
    stmt = stmt.where(Reading.status == (status or "pending"))
    if flagged_only:
        stmt = stmt.where(Reading.flagged.is_(True))
    if group:
        stmt = stmt.where(Premises.group_code == group)
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(
            or_(
                Reading.payer_id.ilike(like),
                Premises.number.ilike(like),
                Premises.address.ilike(like),
            )
        )
    if date_from:
        stmt = stmt.where(Reading.reading_date >= date_from)
    if date_to:
        stmt = stmt.where(Reading.reading_date <= date_to)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    stmt = stmt.order_by(Reading.created_at, Reading.id).offset(max(offset, 0))
    rows = (await session.execute(stmt.limit(max(1, min(limit or 100, 1000))))).scalars()
    return list(rows), int(total)
