"""Customer groups changed by a clerk: display name, reading deadlines added and removed."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import Conflict, DomainError, InvalidArgument, NotFound
from water.premises.models import CustomerGroup, Premises, ReadingDeadline

MONTHS = (
    "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca",
    "lipca", "sierpnia", "września", "października", "listopada", "grudnia",
)  # fmt: skip
UNKNOWN_GROUP = "Nie ma takiej grupy odbiorców."


def default_label(month: int, day: int) -> str:
    return f"Odczyt do {day} {MONTHS[month - 1]}"


def deadline_state(row: ReadingDeadline) -> dict[str, Any]:
    return {"month": row.month, "day": row.day, "label": row.label}


def check_day(month: int, day: int) -> None:
    """The month and day of a yearly deadline exist (29 February counts: a leap year has it)."""
    if not 1 <= month <= 12:
        raise InvalidArgument("Wybierz miesiąc od 1 do 12.", field="month")
    try:
        date(2024, month, day)
    except ValueError:
        raise InvalidArgument(
            f"Taki dzień nie istnieje: {day} {MONTHS[month - 1]}.", field="day"
        ) from None


async def locked_group(session: AsyncSession, code: str) -> CustomerGroup:
    """The group, locked for the rest of the transaction (one change to it at a time)."""
    group = (
        await session.execute(
            select(CustomerGroup).where(CustomerGroup.code == code.strip()).with_for_update()
        )
        if code.strip()
        else None
    )
    found = group.scalar_one_or_none() if group is not None else None
    if found is None:
        raise NotFound(UNKNOWN_GROUP, field="group")
    return found


async def premises_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(Premises.group_code, func.count()).group_by(Premises.group_code)
    )
    return {code: count for code, count in rows.all()}


async def _deadlines(session: AsyncSession, code: str) -> list[ReadingDeadline]:
    stmt = select(ReadingDeadline).where(ReadingDeadline.group_code == code)
    return list((await session.execute(stmt)).scalars())


async def add_deadline(
    session: AsyncSession, *, group: str, month: int, day: int, label: str
) -> ReadingDeadline:
    found = await locked_group(session, group)
    check_day(month, day)
    label = " ".join(label.split()) or default_label(month, day)
    if len(label) > 100:
        raise InvalidArgument("Opis terminu może mieć najwyżej 100 znaków.", field="label")
    if any(d.month == month and d.day == day for d in await _deadlines(session, found.code)):
        raise Conflict(
            f"Grupa „{found.label}” ma już termin {day} {MONTHS[month - 1]}.", field="day"
        )
    row = ReadingDeadline(group_code=found.code, month=month, day=day, label=label)
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:  # the same deadline added at the same moment by another clerk
        raise Conflict(
            f"Grupa „{found.label}” ma już termin {day} {MONTHS[month - 1]}.", field="day"
        ) from None
    return row


async def remove_deadline(
    session: AsyncSession, *, group: str, month: int, day: int
) -> ReadingDeadline:
    """Remove a deadline; a group that has premises keeps at least one."""
    found = await locked_group(session, group)
    rows = await _deadlines(session, found.code)
    row = next((d for d in rows if d.month == month and d.day == day), None)
    if row is None:
        raise NotFound("Ta grupa nie ma takiego terminu odczytu.", field="deadline")
    if len(rows) == 1 and (await premises_counts(session)).get(found.code, 0):
        raise DomainError(
            f"Grupa „{found.label}” ma punkty poboru i musi mieć co najmniej jeden termin "
            "odczytu. Dodaj najpierw inny termin.",
            code="water.last_deadline",
            field="deadline",
        )
    await session.delete(row)
    await session.flush()
    return row


async def rename_group(session: AsyncSession, *, group: str, label: str) -> tuple[str, str]:
    """Set the display name; returns (before, after)."""
    found = await locked_group(session, group)
    label = " ".join(label.split())
    if not label:
        raise InvalidArgument("Podaj nazwę grupy odbiorców.", field="label")
    if len(label) > 100:
        raise InvalidArgument("Nazwa grupy może mieć najwyżej 100 znaków.", field="label")
    before, found.label = found.label, label
    await session.flush()
    return before, label
