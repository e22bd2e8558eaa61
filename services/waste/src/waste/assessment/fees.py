"""The fee of a declaration: per month from its versions and the year's rates; no rounding beyond grosze."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from waste.schedule.rules import YearSchedule

METHODS = (
    "per_resident",
    "per_water_m3",
    "per_area_m2",
    "per_household",
    "per_bin",
    "cottage",
    "none",
)
RATED_METHODS = METHODS[:-1]
METHOD_LABELS = {
    "per_resident": "od liczby mieszkańców",
    "per_water_m3": "od zużycia wody (m³)",
    "per_area_m2": "od powierzchni lokalu (m²)",
    "per_household": "od gospodarstwa domowego",
    "per_bin": "od pojemnika × liczby odbiorów",
    "cottage": "ryczałt za domek letniskowy",
    "none": "brak obowiązku (wyprowadzka, sprzedaż)",
}
COTTAGE = 0  # installment number of the cottage lump sum


@dataclass(frozen=True)
class Basis:
    """What one declaration version declares, as the fee needs it."""

    method: str
    applies_from: date
    number: int = 1
    residents: int = 0
    area_m2: Decimal = Decimal(0)
    households: int = 0
    bins: int = 0
    collections_per_month: int = 0
    water_m3_month: Decimal | None = None
    composting: bool = False
    not_sorting: bool = False


@dataclass(frozen=True)
class RateValue:
    rate_grosze: int
    compost_discount_grosze: int = 0
    non_sorting_multiplier: Decimal = Decimal(2)


@dataclass(frozen=True)
class Planned:
    """An installment as the current declarations and rates make it."""

    number: int
    due_date: date
    period_from: date
    period_to: date
    amount_grosze: int


@dataclass
class YearPlan:
    installments: list[Planned] = field(default_factory=list)
    monthly_grosze: dict[int, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def total_grosze(self) -> int:
        return sum(p.amount_grosze for p in self.installments)


def grosze(value: Decimal) -> int:
    """Decimal grosze to whole grosze (half up); the fee is never rounded further."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def unit_price(rate: RateValue, not_sorting: bool) -> Decimal:
    price = Decimal(rate.rate_grosze)
    return price * rate.non_sorting_multiplier if not_sorting else price


def monthly_fee(
    basis: Basis, rate: RateValue, *, water_m3: Decimal | None = None, household_cap: int = 0
) -> int:
    """The fee of one month in grosze (methods other than the cottage lump sum)."""
    price = unit_price(rate, basis.not_sorting)
    discount = rate.compost_discount_grosze if basis.composting else 0
    households = max(basis.households, 1)
    m = basis.method
    if m == "per_resident":
        fee = basis.residents * (price - discount)
    elif m == "per_water_m3":
        m3 = water_m3 if water_m3 is not None else (basis.water_m3_month or Decimal(0))
        fee = m3 * price
        if household_cap:
            fee = min(fee, Decimal(household_cap * households))
        fee -= discount * households
    elif m == "per_area_m2":
        fee = basis.area_m2 * price - discount * households
    elif m == "per_household":
        fee = households * (price - discount)
    elif m == "per_bin":
        fee = basis.bins * basis.collections_per_month * price
    else:
        raise ValueError(f"no monthly fee for method {m}")
    return max(grosze(Decimal(fee)), 0)


def cottage_fee(basis: Basis, rate: RateValue) -> int:
    return grosze(unit_price(rate, basis.not_sorting))


def version_for(versions: Sequence[Basis], day: date) -> Basis | None:
    """The version in force on `day`: latest applies_from, then the higher number."""
    best: Basis | None = None
    for v in versions:
        if v.applies_from <= day and (
            best is None or (v.applies_from, v.number) > (best.applies_from, best.number)
        ):
            best = v
    return best


RateLookup = Callable[[str, int], RateValue | None]


def plan_year(
    year: int,
    versions: Sequence[Basis],
    rate_for: RateLookup,
    schedule: YearSchedule,
    *,
    water_m3: Decimal | None = None,
    household_cap: int = 0,
) -> YearPlan:
    """Installments of `year`: each month's fee summed per schedule entry; cottage: one lump sum."""
    plan = YearPlan()
    cottage: tuple[Basis, int] | None = None
    for month in range(1, 13):
        v = version_for(versions, date(year, month, 1))
        if v is None or v.method == "none":
            plan.monthly_grosze[month] = 0
            continue
        rate = rate_for(v.method, month)
        if rate is None:
            plan.problems.append(f"brak stawki {year} dla metody {v.method} (miesiąc {month})")
            plan.monthly_grosze[month] = 0
            continue
        if v.method == "cottage":
            plan.monthly_grosze[month] = 0
            if cottage is None:
                cottage = (v, cottage_fee(v, rate))
            continue
        plan.monthly_grosze[month] = monthly_fee(
            v, rate, water_m3=water_m3, household_cap=household_cap
        )
    for e in schedule.entries:
        amount = sum(plan.monthly_grosze[m] for m in range(e.months_from, e.months_to + 1))
        if amount:
            plan.installments.append(
                Planned(
                    e.number,
                    schedule.due_date(year, e.number),
                    date(year, e.months_from, 1),
                    _month_end(year, e.months_to),
                    amount,
                )
            )
    if cottage is not None:
        plan.installments.append(
            Planned(
                COTTAGE,
                schedule.due_date(year, COTTAGE),
                date(year, 1, 1),
                date(year, 12, 31),
                cottage[1],
            )
        )
    return plan


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Change:
    """What recalculation does to one installment: create it or correct it by `delta`."""

    number: int
    due_date: date
    period_from: date
    period_to: date
    target_grosze: int
    delta_grosze: int
    create: bool


def recalculate(plan: YearPlan, booked: dict[int, tuple[date, int]], today: date) -> list[Change]:
    """Recompute installments not yet due; the difference of those already due goes to the next one.

    `booked` maps an installment number to (due date, amount booked so far).
    """
    planned = {p.number: p for p in plan.installments}
    numbers = sorted(set(planned) | set(booked), key=lambda n: _due(n, planned, booked))
    catch_up = 0
    changes: list[Change] = []
    open_numbers = []
    for n in numbers:
        due = _due(n, planned, booked)
        target = planned[n].amount_grosze if n in planned else 0
        if due <= today and n in booked:
            catch_up += target - booked[n][1]
        elif due <= today:
            catch_up += target
        else:
            open_numbers.append(n)
    for i, n in enumerate(open_numbers):
        target = planned[n].amount_grosze if n in planned else 0
        if i == 0:
            target += catch_up
            catch_up = 0
        current = booked[n][1] if n in booked else None
        if current is None and target == 0:
            continue
        delta = target - (current or 0)
        if delta == 0:
            continue
        p = planned.get(n)
        changes.append(
            Change(
                n,
                _due(n, planned, booked),
                p.period_from if p else date(today.year, 1, 1),
                p.period_to if p else date(today.year, 12, 31),
                target,
                delta,
                current is None,
            )
        )
    if catch_up and numbers:
        # Nothing left to pay with: the difference is corrected on the last installment.
        n = numbers[-1]
        current = booked[n][1] if n in booked else 0
        p = planned.get(n)
        changes.append(
            Change(
                n,
                _due(n, planned, booked),
                p.period_from if p else date(today.year, 1, 1),
                p.period_to if p else date(today.year, 12, 31),
                current + catch_up,
                catch_up,
                n not in booked,
            )
        )
    return changes


def _due(n: int, planned: dict[int, Planned], booked: dict[int, tuple[date, int]]) -> date:
    return booked[n][0] if n in booked else planned[n].due_date
