"""Dated interest-rate tables (annual %, from a date on); data, replaceable by configuration.

Tax-like regime: odsetki za zwłokę od zaległości podatkowych (Ordynacja podatkowa art. 56;
standard = 200% of the NBP lombard rate + 2 pp, at least 8%). Civil regime: odsetki ustawowe
za opóźnienie (Kodeks cywilny art. 481: NBP reference rate + 5.5 pp). Keep the tables current
from the Minister of Finance announcements, or set BILLING_TAX_INTEREST_RATES /
BILLING_CIVIL_INTEREST_RATES as `YYYY-MM-DD=rate,...`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

RateTable = tuple[tuple[date, Decimal], ...]

TAX_STANDARD: RateTable = (
    (date(2020, 5, 29), Decimal("8")),
    (date(2022, 2, 9), Decimal("8.5")),
    (date(2022, 3, 9), Decimal("9.5")),
    (date(2022, 4, 7), Decimal("12")),
    (date(2022, 5, 6), Decimal("13.5")),
    (date(2022, 6, 9), Decimal("15")),
    (date(2022, 7, 8), Decimal("16")),
    (date(2022, 9, 8), Decimal("16.5")),
    (date(2023, 9, 7), Decimal("15.5")),
    (date(2023, 10, 5), Decimal("14.5")),
    (date(2025, 5, 8), Decimal("13.5")),
    (date(2025, 7, 3), Decimal("13")),
    (date(2025, 9, 4), Decimal("12.5")),
    (date(2025, 10, 9), Decimal("12")),
    (date(2025, 11, 6), Decimal("11.5")),
)

CIVIL_STATUTORY: RateTable = (
    (date(2020, 5, 29), Decimal("5.6")),
    (date(2022, 9, 8), Decimal("12.25")),
    (date(2023, 9, 7), Decimal("11.5")),
    (date(2023, 10, 5), Decimal("11.25")),
    (date(2025, 5, 8), Decimal("10.75")),
    (date(2025, 7, 3), Decimal("10.5")),
    (date(2025, 9, 4), Decimal("10.25")),
    (date(2025, 10, 9), Decimal("10")),
    (date(2025, 11, 6), Decimal("9.75")),
)

# reduced (obniżona, 50%) and increased (podwyższona, 150%) tax rates follow the standard one
TAX_MULTIPLIERS = {"standard": Decimal("1"), "reduced": Decimal("0.5"), "increased": Decimal("1.5")}


def parse_table(value: str) -> RateTable:
    """`2025-11-06=11.5,2026-01-01=10.5` → a sorted table."""
    rows = []
    for item in value.replace(";", ",").split(","):
        if item.strip():
            day, _, rate = item.partition("=")
            rows.append((date.fromisoformat(day.strip()), Decimal(rate.strip())))
    if not rows:
        raise ValueError("empty rate table")
    return tuple(sorted(rows))


def periods(table: RateTable, start: date, end: date) -> list[tuple[int, Decimal]]:
    """(days, annual %) for each rate in force on the days after `start` up to `end` inclusive.

    Days before the first row of the table use the first rate.
    """
    out: list[tuple[int, Decimal]] = []
    if end <= start or not table:
        return out
    for i, (valid_from, rate) in enumerate(table):
        # this row covers days d with first_day <= d <= last_day
        first_day = date.min if i == 0 else valid_from
        last_day = (
            date.fromordinal(table[i + 1][0].toordinal() - 1) if i + 1 < len(table) else date.max
        )
        lo = max(start.toordinal(), first_day.toordinal() - 1)
        hi = min(end.toordinal(), last_day.toordinal())
        if hi > lo:
            out.append((hi - lo, rate))
    return out
