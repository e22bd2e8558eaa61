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


def fees_by_month(charges: list[Any], today: date) -> list[MonthFees]:
    """Amounts falling due in each month of the last year (installments and invoices)."""
    sums: dict[date, int] = defaultdict(int)
    for c in charges:
        if c.due_date.year:
            sums[date(c.due_date.year, c.due_date.month, 1)] += c.amount_grosze
    return [MonthFees(f"{m:%m.%Y}", m, sums.get(m, 0)) for m in last_months(today)]


def fees_chart(chart_id: str, months: list[MonthFees]) -> str:
    """Server-side SVG bar chart (the water feature's renderer); the table beside gives data."""
    bars = [Bar(f"{m.month:%m.%y}", Decimal(m.grosze) / 100, zl(m.grosze)) for m in months]
    return bar_chart(
        chart_id,
        _("Opłaty w ostatnich 12 miesiącach"),
        _(
            "Wykres słupkowy: kwota opłat z terminem w każdym miesiącu, w złotych; dane w tabeli obok."
        ),
        bars,
        _("zł"),
    )
