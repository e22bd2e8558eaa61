"""Splitting a consumption between tariff periods (R12): the one rule utilities apply."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ONE = Decimal("1")


def round_half_up(value: Decimal, exponent: Decimal = CENT) -> Decimal:
    """Round half away from zero to `exponent` (0.01 for quantities, 1 for grosze)."""
    return value.quantize(exponent, rounding=ROUND_HALF_UP)


def to_grosze(value: Decimal) -> int:
    """Round an amount in grosze half-up to a whole grosz."""
    return int(round_half_up(value, ONE))


def days_inclusive(start: date, end: date) -> int:
    return (end - start).days + 1


@dataclass(frozen=True)
class Segment:
    """A part of a settlement period with the quantity attributed to it."""

    start: date
    end: date
    days: int
    quantity: Decimal


def segment_bounds(start: date, end: date, change_dates: Iterable[date]) -> list[tuple[date, date]]:
    """Cut [start, end] before every change date strictly inside it."""
    cuts = sorted({c for c in change_dates if start < c <= end})
    bounds = []
    left = start
    for cut in cuts:
        bounds.append((left, cut - timedelta(days=1)))
        left = cut
    bounds.append((left, end))
    return bounds


def split_by_days(
    quantity: Decimal, start: date, end: date, change_dates: Iterable[date] = ()
) -> list[Segment]:
    """Split `quantity` over [start, end] in proportion to days, cut at the change dates.

    D = days of the period (both ends inclusive); each cut point gets
    Q_cum = round_half_up(Q × days_so_far / D, 2), a segment's quantity is the difference of
    consecutive cut points, and the last segment takes the rest, so the parts always sum
    exactly to Q. With one change this is Q_old = round(Q × d_old / D), Q_new = Q − Q_old.
    """
    if end < start:
        raise ValueError("period ends before it starts")
    total_days = days_inclusive(start, end)
    bounds = segment_bounds(start, end, change_dates)
    segments = []
    elapsed = 0
    taken = Decimal("0")
    for i, (left, right) in enumerate(bounds):
        days = days_inclusive(left, right)
        elapsed += days
        if i == len(bounds) - 1:
            cumulative = quantity
        else:
            cumulative = round_half_up(quantity * elapsed / total_days)
        segments.append(Segment(left, right, days, cumulative - taken))
        taken = cumulative
    return segments


def sewage_segments(main: list[Segment], garden: list[Segment] | None) -> list[Segment]:
    """Sewage per segment = main − garden on the same cuts (never below zero).

    When rounding would leave a segment a grosz-sized quantity below zero the shortfall is
    carried to the neighbouring segment, so the total stays main − garden.
    """
    if garden is None:
        return list(main)
    out: list[Segment] = []
    carry = Decimal("0")
    for m, g in zip(main, garden, strict=True):
        q = m.quantity - g.quantity + carry
        carry = Decimal("0")
        if q < 0:
            carry, q = q, Decimal("0")
        out.append(Segment(m.start, m.end, m.days, q))
    if carry:
        for i in range(len(out) - 1, -1, -1):
            take = min(out[i].quantity, -carry)
            out[i] = Segment(out[i].start, out[i].end, out[i].days, out[i].quantity - take)
            carry += take
            if not carry:
                break
    return out
