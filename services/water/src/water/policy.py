"""Configurable limits of the water rules (from settings; defaults for tests and tools)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


def today() -> date:
    """Today's calendar date in Europe/Warsaw."""
    return datetime.now(WARSAW).date()


@dataclass(frozen=True)
class Policy:
    high_daily_m3: Decimal = Decimal("2")
    high_min_m3: int = 30
    high_factor: Decimal = Decimal("5")
    legalisation_years: int = 5
    legalisation_warn_days: int = 90
    payment_days: int = 14
    vat_rate: str = "8"
    estimate_history_days: int = 730


DEFAULT_POLICY = Policy()
