"""UTC time helpers (SQLite hands back naive datetimes; treat them as UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """The same instant with tzinfo=UTC when the database dropped it."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
