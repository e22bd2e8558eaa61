"""When a reminder is due: the schedule's offsets against a deadline and today's date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


def due_offset(deadline: date, today: date, offsets: Iterable[int]) -> int | None:
    """The reminder to give today: the smallest offset whose day has come, before the deadline.

    With offsets 14 and 3, from 14 days before the deadline the "14" reminder is due, from 3
    days before the "3" one; a run that missed the first window gives only the later reminder.
    """
    if today >= deadline:
        return None
    started = [o for o in offsets if o > 0 and deadline - timedelta(days=o) <= today]
    return min(started) if started else None


def horizon(today: date, offsets: Iterable[int]) -> date:
    """The last deadline any offset of the schedule can concern today."""
    return today + timedelta(days=max([0, *offsets]))
