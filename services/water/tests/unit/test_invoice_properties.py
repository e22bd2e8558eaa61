"""Properties of the split and the invoice (Hypothesis)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from water.tariffs.invoice import Consumption, assemble, compute_invoice
from water.tariffs.prices import ABONAMENT_SEWAGE, ABONAMENT_WATER, SEWAGE, WATER, Price, PriceTable
from water.tariffs.split import split_by_days

starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


@st.composite
def periods(draw):
    start = draw(starts)
    length = draw(st.integers(min_value=0, max_value=400))
    end = start + timedelta(days=length)
    changes = draw(st.lists(st.dates(min_value=start, max_value=end), max_size=4))
    return start, end, changes


@st.composite
def tables(draw, start: date, end: date, changes: list[date]):
    cuts = sorted(set(changes) | {date(2000, 1, 1)})
    prices = []
    for comp, unit in (
        (WATER, "m3"),
        (SEWAGE, "m3"),
        (ABONAMENT_WATER, "month"),
        (ABONAMENT_SEWAGE, draw(st.sampled_from(["month", "quarter"]))),
    ):
        for i, cut in enumerate(cuts):
            to = cuts[i + 1] - timedelta(days=1) if i + 1 < len(cuts) else None
            net = draw(st.integers(min_value=1, max_value=5000))
            prices.append(Price(comp, unit, net, cut, to))
    return PriceTable(prices)


quantities = st.integers(min_value=0, max_value=100_000).map(Decimal)


@given(periods(), quantities)
@settings(max_examples=400)
def test_split_parts_sum_to_the_total_and_are_never_negative(period, q):
    start, end, changes = period
    parts = split_by_days(q, start, end, changes)
    assert sum(p.quantity for p in parts) == q
    assert all(p.quantity >= 0 for p in parts)
    assert sum(p.days for p in parts) == (end - start).days + 1
    assert all(p.quantity == p.quantity.quantize(Decimal("0.01")) for p in parts)


@given(st.data(), periods(), quantities, st.integers(min_value=0, max_value=100_000))
@settings(max_examples=300, deadline=None)
def test_invoice_lines_sum_to_consumption_and_nothing_is_negative(data, period, main, garden):
    start, end, changes = period
    garden_q = Decimal(min(garden, int(main)))
    prices = data.draw(tables(start, end, changes))
    inv = compute_invoice(
        period_from=start,
        period_to=end,
        consumption=Consumption(main=main, garden=garden_q),
        prices=prices,
    )
    assert inv.quantity(WATER) == main
    assert inv.quantity(SEWAGE) == main - garden_q
    assert all(x.quantity >= 0 and x.net_grosze >= 0 and x.vat_grosze >= 0 for x in inv.lines)
    assert all(x.net_grosze + x.vat_grosze == x.gross_grosze for x in inv.lines)
    assert inv.net_grosze + inv.vat_grosze == inv.gross_grosze


@given(st.data(), periods(), quantities, st.randoms(use_true_random=False))
@settings(max_examples=200, deadline=None)
def test_gross_does_not_depend_on_the_order_of_lines(data, period, main, rnd: random.Random):
    start, end, changes = period
    prices = data.draw(tables(start, end, changes))
    inv = compute_invoice(
        period_from=start, period_to=end, consumption=Consumption(main=main), prices=prices
    )
    shuffled = list(inv.lines)
    rnd.shuffle(shuffled)
    again = assemble(start, end, shuffled)
    assert (again.net_grosze, again.vat_grosze, again.gross_grosze) == (
        inv.net_grosze,
        inv.vat_grosze,
        inv.gross_grosze,
    )
