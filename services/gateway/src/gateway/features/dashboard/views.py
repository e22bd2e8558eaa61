"""Presentation of the dashboard: the fees chart and module pages (formatting only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from gateway.features.billing.views import zl
from gateway.features.water.charts import Bar, bar_chart
from gateway.web.i18n import _

MONTHS = 12


@dataclass(frozen=True)
class MonthFees:
    label: str  # "11.2026"
    month: date
    grosze: int


def last_months(today: date, count: int = MONTHS) -> list[date]:
    """The first days of the last `count` months, oldest first, ending with this month."""
    out, y, m = [], today.year, today.month
    for _i in range(count):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def fees_by_month(entries: list[Any], today: date) -> list[MonthFees]:
    """Amounts charged per month (charges, interest, reminder costs) over the last year."""
    sums: dict[date, int] = defaultdict(int)
    for e in entries:
        if e.debit_grosze > 0 and e.kind != "refund" and e.date.year:
            sums[date(e.date.year, e.date.month, 1)] += e.debit_grosze
    return [MonthFees(f"{m:%m.%Y}", m, sums.get(m, 0)) for m in last_months(today)]


def fees_chart(chart_id: str, months: list[MonthFees]) -> str:
    """Server-side SVG bar chart (the water feature's renderer); the table beside gives data."""
    bars = [Bar(f"{m.month:%m.%y}", Decimal(m.grosze) / 100, zl(m.grosze)) for m in months]
    return bar_chart(
        chart_id,
        _("Naliczone opłaty w ostatnich 12 miesiącach"),
        _("Wykres słupkowy: kwota naliczona w każdym miesiącu, w złotych; dane w tabeli obok."),
        bars,
        _("zł"),
    )
