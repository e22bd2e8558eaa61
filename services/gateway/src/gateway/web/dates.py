"""Dates in the gateway: today in Poland, and the contracts' Date message both ways."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from portal.common.v1 import common_pb2

WARSAW = ZoneInfo("Europe/Warsaw")


def today() -> date:
    """Today's date in Poland (the gmina's calendar, whatever the server's time zone)."""
    return datetime.now(WARSAW).date()


def to_date(d: Any) -> date | None:
    """A `portal.common.v1.Date` (or nothing, or an unset one) as a date or None."""
    return date(d.year, d.month, d.day) if d is not None and d.year else None


def pb_date(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)
