"""Anti-spam limits per sender, counted in the database so they hold across replicas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from notify.contact.models import RateCounter
from portal_platform.db import is_postgres
from portal_platform.errors import DomainError


class TooManyMessages(DomainError):
    """The sender wrote more messages than the limit allows in a minute or an hour."""

    code = "contact.rate_limited"
    grpc_status = "RESOURCE_EXHAUSTED"
    http_status = 429


@dataclass(frozen=True)
class Limits:
    per_minute: int = 5
    per_hour: int = 30


def _windows(now: datetime) -> tuple[tuple[str, datetime], tuple[str, datetime]]:
    return (
        ("m", now.replace(second=0, microsecond=0)),
        ("h", now.replace(minute=0, second=0, microsecond=0)),
    )


async def hit(session: AsyncSession, keys: Sequence[str], limits: Limits, now: datetime) -> None:
    """Count one message for every key; refuse (rolling the count back) when over a limit."""
    table = RateCounter.__table__
    dialect = postgresql if is_postgres(session) else sqlite
    for key in sorted(set(k for k in keys if k)):
        for (window, start), limit in zip(
            _windows(now), (limits.per_minute, limits.per_hour), strict=True
        ):
            stmt = (
                dialect.insert(table)
                .values(key=f"{window}:{key}"[:200], window_start=start, count=1)
                .on_conflict_do_update(
                    index_elements=["key", "window_start"], set_={"count": table.c.count + 1}
                )
                .returning(table.c.count)
            )
            count = (await session.execute(stmt)).scalar_one()
            if count > limit:
                wait = "minutę" if window == "m" else "godzinę"
                raise TooManyMessages(
                    "Wysłano zbyt wiele wiadomości w krótkim czasie. Ze względu na ochronę przed "
                    f"spamem spróbuj ponownie za {wait}. W pilnej sprawie zadzwoń do urzędu.",
                    field="body",
                )
