"""Water and sewage invoice math (pure): quantities, tariff split, abonament, VAT once per rate."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import cast

from portal_platform.errors import DomainError
from water.tariffs.prices import (
    ABONAMENT_GARDEN,
    ABONAMENT_SEWAGE,
    ABONAMENT_WATER,
    COMPONENT_LABELS,
    SEWAGE,
    WATER,
    PriceTable,
)
from water.tariffs.split import (
    ONE,
    Segment,
    days_inclusive,
    round_half_up,
    segment_bounds,
    sewage_segments,
    split_by_days,
    to_grosze,
)

DEFAULT_VAT_RATE = "8"
ZERO = Decimal("0")


@dataclass(frozen=True)
class Consumption:
    """m³ used in a settlement period, per meter kind (whole or with 2 decimals)."""

    main: Decimal
    garden: Decimal | None = None  # garden sub-meter: water that does not reach the sewer
    sewage_meter: Decimal | None = None  # where present it wins over main − garden
    sewer: bool = True  # the premises discharges to the public sewer


@dataclass(frozen=True)
class Line:
    """One invoice line; VAT is filled in by `assemble` (VAT once per rate)."""

    component: str
    description: str
    quantity: Decimal
    unit: str
    unit_net_grosze: int
    net_grosze: int
    period_from: date
    period_to: date
    vat_rate: str = DEFAULT_VAT_RATE
    vat_grosze: int = 0
    gross_grosze: int = 0


@dataclass(frozen=True)
class Invoice:
    period_from: date
    period_to: date
    lines: tuple[Line, ...]
    net_grosze: int
    vat_grosze: int
    gross_grosze: int

    def component_net(self, component: str) -> int:
        return sum(x.net_grosze for x in self.lines if x.component == component)

    def quantity(self, component: str) -> Decimal:
        return sum((x.quantity for x in self.lines if x.component == component), ZERO)


def zl(grosze: int | Decimal) -> str:
    """Polish money format: 1 234,56 zł."""
    value = Decimal(grosze) / 100
    sign = "-" if value < 0 else ""
    whole, frac = f"{abs(value):.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", "\u00a0")
    return f"{sign}{groups},{frac} zł"


def _dm(d: date) -> str:
    return f"{d.day:02d}.{d.month:02d}"  # strftime is slow on the hot path


def _dmy(d: date) -> str:
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


def _period_text(start: date, end: date) -> str:
    return f"{_dm(start)}–{_dmy(end)}" if start.year == end.year else (f"{_dmy(start)}–{_dmy(end)}")


def quantity_lines(component: str, segments: Sequence[Segment], prices: PriceTable) -> list[Line]:
    """One line per tariff segment: net = round_half_up(quantity × unit net price)."""
    lines = []
    many = len(segments) > 1
    for i, seg in enumerate(segments):
        if seg.quantity == 0:
            continue
        price = prices.price_on(component, seg.start)
        text = f"{COMPONENT_LABELS[component]} {_period_text(seg.start, seg.end)}"
        if many:
            text += " (przed zmianą taryfy)" if i == 0 else f" (taryfa od {_dmy(seg.start)})"
        lines.append(
            Line(
                component=component,
                description=text,
                quantity=seg.quantity,
                unit="m3",
                unit_net_grosze=price.net_grosze,
                net_grosze=to_grosze(seg.quantity * price.net_grosze),
                period_from=seg.start,
                period_to=seg.end,
            )
        )
    return lines


def _monthly_rate(net_grosze: int, unit: str) -> Decimal:
    return Decimal(net_grosze) / 3 if unit == "quarter" else Decimal(net_grosze)


def _months(start: date, end: date) -> Iterable[tuple[date, date, int]]:
    """(first day, last day, days in month) of each calendar month overlapping [start, end]."""
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        dim = calendar.monthrange(year, month)[1]
        yield max(start, date(year, month, 1)), min(end, date(year, month, dim)), dim
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def abonament_lines(component: str, start: date, end: date, prices: PriceTable) -> list[Line]:
    """Abonament: a monthly rate, each month prorated by days where the period or price changes."""
    key = ("abonament", component, start, end)
    if key not in prices.memo:
        prices.memo[key] = _abonament_lines(component, start, end, prices)
    return list(cast(list[Line], prices.memo[key]))


def _abonament_lines(component: str, start: date, end: date, prices: PriceTable) -> list[Line]:
    label = COMPONENT_LABELS[component]
    if prices.price_on(component, end).unit == "period":
        price = prices.price_on(component, end)
        return [
            Line(
                component,
                f"{label} {_period_text(start, end)}",
                ONE,
                "okres",
                price.net_grosze,
                price.net_grosze,
                start,
                end,
            )
        ]
    lines: list[Line] = []
    whole_months: list[bool] = []  # per line: a group of whole months at one rate
    cuts = prices.change_dates(component, start, end)
    for m_start, m_end, dim in _months(start, end):
        parts = []
        amount = ZERO
        for left, right in segment_bounds(m_start, m_end, cuts):
            price = prices.price_on(component, left)
            rate = _monthly_rate(price.net_grosze, price.unit)
            days = days_inclusive(left, right)
            amount += rate * days / dim
            parts.append(f"{zl(round_half_up(rate, ONE))} × {days}/{dim}")
        grosze = to_grosze(amount)
        whole = len(parts) == 1 and days_inclusive(m_start, m_end) == dim
        prev = lines[-1] if lines else None
        if whole and prev is not None and whole_months[-1] and prev.unit_net_grosze == grosze:
            first = prev.period_from
            count = prev.quantity + 1
            lines[-1] = replace(
                prev,
                description=f"{label} {first:%m.%Y}–{m_end:%m.%Y} [{count} mies.]",
                quantity=count,
                net_grosze=int(count) * grosze,
                period_to=m_end,
            )
            continue
        text = f"{label} {m_start:%m.%Y}"
        text += " [1 mies.]" if whole else f" ({' + '.join(parts)})"
        lines.append(Line(component, text, ONE, "mies.", grosze, grosze, m_start, m_end))
        whole_months.append(whole)
    return lines


def compute_invoice(
    *,
    period_from: date,
    period_to: date,
    consumption: Consumption,
    prices: PriceTable,
    garden_abonament: bool | None = None,
    vat_rate: str = DEFAULT_VAT_RATE,
) -> Invoice:
    """The invoice of a settlement period [period_from, period_to] (both inclusive)."""
    if period_to < period_from:
        raise DomainError("Okres rozliczenia kończy się przed początkiem.", field="reading_date")
    c = consumption
    for value in (c.main, c.garden, c.sewage_meter):
        if value is not None and value < 0:
            raise DomainError("Zużycie nie może być ujemne.", field="value")
    if c.garden is not None and c.garden > c.main:
        raise DomainError(
            "Zużycie z podlicznika ogrodowego jest większe niż z wodomierza głównego.",
            code="reading.garden_above_main",
            field="value",
        )
    lines = quantity_lines(
        WATER,
        split_by_days(
            c.main, period_from, period_to, prices.change_dates(WATER, period_from, period_to)
        ),
        prices,
    )
    if c.sewer:
        cuts = prices.change_dates(SEWAGE, period_from, period_to)
        if c.sewage_meter is not None:
            sewage = split_by_days(c.sewage_meter, period_from, period_to, cuts)
        else:
            main = split_by_days(c.main, period_from, period_to, cuts)
            garden = (
                split_by_days(c.garden, period_from, period_to, cuts)
                if c.garden is not None
                else None
            )
            sewage = sewage_segments(main, garden)
        lines += quantity_lines(SEWAGE, sewage, prices)
    lines += abonament_lines(ABONAMENT_WATER, period_from, period_to, prices)
    if c.sewer and prices.has(ABONAMENT_SEWAGE):
        lines += abonament_lines(ABONAMENT_SEWAGE, period_from, period_to, prices)
    with_garden = c.garden is not None if garden_abonament is None else garden_abonament
    if with_garden and prices.has(ABONAMENT_GARDEN):
        lines += abonament_lines(ABONAMENT_GARDEN, period_from, period_to, prices)
    if vat_rate != DEFAULT_VAT_RATE:
        lines = [replace(x, vat_rate=vat_rate) for x in lines]
    return assemble(period_from, period_to, lines)


def reversal_lines(lines: Iterable[Line], note: str) -> list[Line]:
    """Negative copies of lines already invoiced (an estimate settled by an actual reading)."""
    return [
        replace(
            x,
            description=f"{note}: {x.description}",
            quantity=-x.quantity,
            net_grosze=-x.net_grosze,
            vat_grosze=0,
            gross_grosze=0,
        )
        for x in lines
    ]


def allocate_vat(lines: Sequence[Line]) -> list[Line]:
    """VAT once per rate on the net total, half-up, then shared out over the lines.

    Each line gets the floor of its exact VAT and the remaining grosze go to the lines with
    the largest fractions, so the lines' VAT sums to the VAT of the total.
    """
    out = list(lines)
    by_rate: dict[str, list[int]] = {}
    for i, x in enumerate(out):
        by_rate.setdefault(x.vat_rate, []).append(i)
    for rate, idx in by_rate.items():
        pct = _rate(rate)
        total = to_grosze(sum(Decimal(out[i].net_grosze) for i in idx) * pct)
        exact = {i: Decimal(out[i].net_grosze) * pct for i in idx}
        base = {i: int(exact[i].to_integral_value(rounding=ROUND_FLOOR)) for i in idx}
        rest = total - sum(base.values())
        order = sorted(idx, key=lambda i: (-(exact[i] - base[i]), out[i].net_grosze, i))
        for n, i in enumerate(order):
            vat = base[i] + (1 if n < rest else 0)
            x = out[i]
            out[i] = Line(
                x.component,
                x.description,
                x.quantity,
                x.unit,
                x.unit_net_grosze,
                x.net_grosze,
                x.period_from,
                x.period_to,
                x.vat_rate,
                vat,
                x.net_grosze + vat,
            )
    return out


def _rate(rate: str) -> Decimal:
    try:
        return Decimal(rate) / 100
    except ArithmeticError:
        return ZERO  # "zw", "np": no VAT


def assemble(period_from: date, period_to: date, lines: Sequence[Line]) -> Invoice:
    """Fill in VAT and the totals."""
    done = allocate_vat(lines)
    net = sum(x.net_grosze for x in done)
    vat = sum(x.vat_grosze for x in done)
    return Invoice(period_from, period_to, tuple(done), net, vat, net + vat)
