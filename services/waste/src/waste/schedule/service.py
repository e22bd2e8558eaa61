"""Reading and setting the schedule of a year (falling back to the default, year 0)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import InvalidArgument
from waste.schedule.models import Schedule
from waste.schedule.rules import DEFAULT, Entry, YearSchedule, validate_entries


def to_rules(row: Schedule) -> YearSchedule:
    return YearSchedule(
        entries=tuple(Entry(**e) for e in sorted(row.entries, key=lambda e: e["number"])),
        cottage_month=row.cottage_month,
        cottage_day=row.cottage_day,
    )


async def get_schedule(session: AsyncSession, year: int) -> YearSchedule:
    row = await session.get(Schedule, year) or await session.get(Schedule, 0)
    return to_rules(row) if row else DEFAULT


async def set_schedule(
    session: AsyncSession,
    year: int,
    entries: tuple[Entry, ...],
    cottage_month: int,
    cottage_day: int,
) -> YearSchedule:
    """Store the schedule of `year` (0: the default); refuse one that does not cover the year."""
    if year and not 2000 <= year <= 2200:
        raise InvalidArgument("Nieprawidłowy rok.", field="year")
    problem = validate_entries(entries, cottage_month, cottage_day)
    if problem:
        raise InvalidArgument(problem, field="entries")
    await session.merge(
        Schedule(
            year=year,
            entries=[e.__dict__ for e in entries],
            cottage_month=cottage_month,
            cottage_day=cottage_day,
        )
    )
    return YearSchedule(entries, cottage_month, cottage_day)
