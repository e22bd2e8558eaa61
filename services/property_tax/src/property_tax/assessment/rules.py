"""The arithmetic of property tax: object tax, months of obligation, rounding, installments.

Amounts are exact fractions of a grosz until the yearly tax is rounded to whole złoty
(Ordynacja podatkowa art. 63: below 50 groszy down, from 50 groszy up); installments divide
that whole-złoty tax in grosze, the odd grosze on the first installment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from math import floor

import holidays

from property_tax.rates.catalog import CATEGORIES

AT_ONCE_LIMIT = 10_000  # grosze: a yearly tax of at most 100 zł is paid at once
ZERO = Fraction(0)


@dataclass(frozen=True)
class ObjectBasis:
    """One taxable object as taxed: its base and the taxpayer's share."""

    category: str
    area: Decimal = Decimal(0)  # m² (ha for land under water); buildings: usable area
    area_reduced: Decimal = Decimal(0)  # buildings: 1.40–2.20 m high, counted at 50 %
    value_grosze: int = 0  # structures
    share: Fraction = Fraction(1)


@dataclass(frozen=True)
class RateBasis:
    """A council rate: grosze per unit, or percent of value for structures."""

    rate_grosze: int = 0
    rate_percent: Decimal = Decimal(0)


@dataclass(frozen=True)
class Period:
    """An installment: its number, the months it pays for, its statutory date and label."""

    number: int
    months: tuple[int, ...]
    month: int
    day: int
    label: str


PERSON_PERIODS = (
    Period(1, (1, 2, 3), 3, 15, "rata 1"),
    Period(2, (4, 5, 6), 5, 15, "rata 2"),
    Period(3, (7, 8, 9), 9, 15, "rata 3"),
    Period(4, (10, 11, 12), 11, 15, "rata 4"),
)
MONTHS_PL = (
    "styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec",
    "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień",
)  # fmt: skip
COMPANY_PERIODS = tuple(
    Period(m, (m,), m, 31 if m == 1 else 15, MONTHS_PL[m - 1]) for m in range(1, 13)
)


def base_of(obj: ObjectBasis) -> Decimal:
    """The tax base in the category's unit (a building's low area counts at half)."""
    cat = CATEGORIES[obj.category]
    if cat.by_value:
        return Decimal(obj.value_grosze) / 100
    if cat.group == "building":
        return obj.area + obj.area_reduced / 2
    return obj.area


def object_tax(obj: ObjectBasis, rate: RateBasis) -> Fraction:
    """The yearly tax of the taxpayer's share of one object, exact, in grosze."""
    if CATEGORIES[obj.category].by_value:
        tax = Fraction(obj.value_grosze) * Fraction(rate.rate_percent) / 100
    else:
        tax = Fraction(base_of(obj)) * rate.rate_grosze
    return tax * obj.share


def effective_from(event: date) -> date:
    """The obligation arises (or changes, or ends) from the first day of the next month."""
    return date(event.year + (event.month == 12), event.month % 12 + 1, 1)


def monthly_tax(
    year: int,
    states: Sequence[tuple[date, Sequence[ObjectBasis]]],
    rates: Mapping[str, RateBasis],
) -> tuple[Fraction, ...]:
    """Tax of each month of `year`: 1/12 of the yearly tax of the objects in force that month.

    `states` are (effective from, objects) in the order they were filed; for each month the
    latest state effective by its first day applies.
    """
    out = []
    for month in range(1, 13):
        first = date(year, month, 1)
        current: Sequence[ObjectBasis] = ()
        best: date | None = None
        for start, objects in states:
            if start <= first and (best is None or start >= best):
                best, current = start, objects
        out.append(sum((object_tax(o, rates[o.category]) for o in current), ZERO) / 12)
    return tuple(out)


def round_zl(grosze: Fraction) -> int:
    """Round to whole złoty, half up (ROUND_HALF_UP on the total); the result in grosze."""
    return floor(grosze / 100 + Fraction(1, 2)) * 100


def allocate(total: int, weights: Sequence[Fraction]) -> list[int]:
    """Split `total` grosze in proportion to `weights`; the odd grosze go to the first share."""
    whole = sum(weights, ZERO)
    if whole <= 0:
        return [0] * len(weights)
    parts = [floor(total * w / whole) for w in weights]
    first = next(i for i, w in enumerate(weights) if w > 0)
    parts[first] += total - sum(parts)
    return parts


@lru_cache(maxsize=64)
def _polish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("PL", years=year))


def next_working_day(d: date) -> date:
    """The date itself on a working day, else the next one (Saturdays and holidays too)."""
    while d.weekday() >= 5 or d in _polish_holidays(d.year):
        d += timedelta(days=1)
    return d


def due_date(year: int, period: Period, issued_on: date | None, delivery_days: int) -> date:
    """Statutory date; for a decision no earlier than `delivery_days` after it is issued."""
    due = date(year, period.month, period.day)
    if issued_on is not None:
        due = max(due, issued_on + timedelta(days=delivery_days))
    return next_working_day(due)


@dataclass(frozen=True)
class Previous:
    """What the latest assessment of the year set: tax, months and installment amounts."""

    tax_grosze: int
    monthly: tuple[Fraction, ...]
    amounts: Mapping[int, int]


@dataclass(frozen=True)
class Plan:
    """An assessment before it is issued."""

    tax_grosze: int
    monthly: tuple[Fraction, ...]
    from_month: int
    amounts: dict[int, int]  # installment → amount as this assessment sets it
    deltas: dict[int, int]  # installment → change against the previous assessment
    at_once: bool = False
    due: dict[int, date] = field(default_factory=dict)

    @property
    def charges(self) -> dict[int, int]:
        return {n: d for n, d in self.deltas.items() if d > 0}

    @property
    def reduction(self) -> int:
        return -sum(d for d in self.deltas.values() if d < 0)


class NothingToAssess(Exception):
    """No tax in the year, or nothing changed since the previous assessment."""

    def __init__(self, changed: bool) -> None:
        super().__init__("nothing changed" if changed else "no obligation")
        self.no_obligation = not changed


def plan(
    *,
    year: int,
    monthly: tuple[Fraction, ...],
    periods: Sequence[Period],
    previous: Previous | None,
    at_once_limit: int | None,
    issued_on: date | None,
    delivery_days: int = 14,
) -> Plan:
    """The yearly tax and its installments; against `previous`, the change from the first
    month that differs, spread over the installments of the months that changed."""
    before = previous.monthly if previous else (ZERO,) * 12
    changed = [m for m in range(1, 13) if monthly[m - 1] != before[m - 1]]
    if not changed:
        raise NothingToAssess(changed=previous is not None)
    from_month = changed[0]
    tax = round_zl(sum(monthly, ZERO))
    prev_amounts = dict(previous.amounts) if previous else {}
    difference = tax - (previous.tax_grosze if previous else 0)
    open_ = [p for p in periods if max(p.months) >= from_month]
    at_once = at_once_limit is not None and tax <= at_once_limit
    if at_once:
        deltas = {open_[0].number: difference}
    else:
        weights = [
            sum((monthly[m - 1] - before[m - 1] for m in p.months if m >= from_month), ZERO)
            for p in open_
        ]
        if difference >= 0 and all(w >= 0 for w in weights):
            split = allocate(difference, weights)
        elif difference <= 0 and all(w <= 0 for w in weights):
            split = [-x for x in allocate(-difference, [-w for w in weights])]
        else:
            closed = sum(a for n, a in prev_amounts.items() if n not in {p.number for p in open_})
            targets = allocate(
                tax - closed, [sum((monthly[m - 1] for m in p.months), ZERO) for p in open_]
            )
            split = [t - prev_amounts.get(p.number, 0) for p, t in zip(open_, targets, strict=True)]
        deltas = {p.number: d for p, d in zip(open_, split, strict=True)}
    amounts = _no_negative(
        {p.number: prev_amounts.get(p.number, 0) + deltas.get(p.number, 0) for p in periods}
    )
    deltas = {n: a - prev_amounts.get(n, 0) for n, a in amounts.items()}
    deltas = {n: d for n, d in deltas.items() if d}
    return Plan(
        tax_grosze=tax,
        monthly=monthly,
        from_month=from_month,
        amounts={n: a for n, a in amounts.items() if a},
        deltas=deltas,
        at_once=at_once,
        due={p.number: due_date(year, p, issued_on, delivery_days) for p in periods},
    )


def _no_negative(amounts: dict[int, int]) -> dict[int, int]:
    """Move a negative installment's excess decrease onto the installments before it."""
    carry = 0
    out = {}
    for n in sorted(amounts, reverse=True):
        a = amounts[n] + carry
        carry = min(a, 0)
        out[n] = max(a, 0)
    return dict(sorted(out.items()))
