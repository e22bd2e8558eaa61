"""Reading and changing an account's choice of optional e-mails."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notify.preferences.models import Preferences


@dataclass(frozen=True)
class Choice:
    """Which optional categories the account wants; everything is on until switched off."""

    readings: bool = True
    documents: bool = True
    payments: bool = True
    reminders: bool = True

    def allows(self, category: str) -> bool:
        return bool(getattr(self, category, True))


async def get(session: AsyncSession, account_id: str) -> Choice:
    row = await session.get(Preferences, account_id)
    if row is None:
        return Choice()
    return Choice(row.readings, row.documents, row.payments, row.reminders)


async def get_many(session: AsyncSession, account_ids: Iterable[str]) -> dict[str, Choice]:
    """Choices of many accounts at once (missing accounts: the defaults)."""
    ids = sorted(set(account_ids))
    found: dict[str, Choice] = {}
    for start in range(0, len(ids), 500):
        rows = await session.execute(
            select(Preferences).where(Preferences.account_id.in_(ids[start : start + 500]))
        )
        for row in rows.scalars():
            found[row.account_id] = Choice(row.readings, row.documents, row.payments, row.reminders)
    return {i: found.get(i, Choice()) for i in ids}


async def put(session: AsyncSession, account_id: str, choice: Choice) -> Choice:
    row = await session.get(Preferences, account_id)
    now = datetime.now(UTC)
    if row is None:
        session.add(Preferences(account_id=account_id, updated_at=now, **asdict(choice)))
    else:
        for key, value in asdict(choice).items():
            setattr(row, key, value)
        row.updated_at = now
    await session.flush()
    return choice
