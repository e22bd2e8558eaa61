"""The golden example of domain.md (tariff change inside the period) to the grosz, and kin."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal_platform.errors import DomainError
from water.tariffs.invoice import Consumption, compute_invoice, zl
from water.tariffs.prices import (
    ABONAMENT_GARDEN,
    ABONAMENT_SEWAGE,
    ABONAMENT_WATER,
    SEWAGE,
    WATER,
    Price,
    PriceTable,
)
from water.tariffs.split import split_by_days

D = Decimal
CHANGE = date(2025, 7, 29)


def golden_prices(extra: list[Price] | None = None) -> PriceTable:
    before, after = date(2025, 7, 28), CHANGE
    return PriceTable(
        [
            Price(WATER, "m3", 400, date(2025, 1, 1), before),
            Price(WATER, "m3", 420, after),
            Price(SEWAGE, "m3", 1000, date(2025, 1, 1), before),
            Price(SEWAGE, "m3", 1050, after),
            Price(ABONAMENT_WATER, "month", 500, date(2025, 1, 1), before),
            Price(ABONAMENT_WATER, "month", 520, after),
            Price(ABONAMENT_SEWAGE, "month", 300, date(2025, 1, 1), before),
            Price(ABONAMENT_SEWAGE, "month", 310, after),
            *(extra or []),
        ]
    )


def golden():
    return compute_invoice(
        period_from=date(2025, 6, 1),
        period_to=date(2025, 8, 31),
        consumption=Consumption(main=D(90), garden=D(12)),
        prices=golden_prices(),
    )


def test_golden_example_lines_match_to_the_grosz():
    inv = golden()
    water = [x for x in inv.lines if x.component == WATER]
    sewage = [x for x in inv.lines if x.component == SEWAGE]
    assert [(x.quantity, x.unit_net_grosze, x.net_grosze) for x in water] == [
        (D("56.74"), 400, 22696),
        (D("33.26"), 420, 13969),
    ]
    assert [(x.quantity, x.unit_net_grosze, x.net_grosze) for x in sewage] == [
        (D("49.17"), 1000, 49170),
        (D("28.83"), 1050, 30272),
    ]
    assert water[0].period_to == date(2025, 7, 28) and water[1].period_from == CHANGE
    assert inv.component_net(ABONAMENT_WATER) == 1522
    assert inv.component_net(ABONAMENT_SEWAGE) == 911
    months = [x.net_grosze for x in inv.lines if x.component == ABONAMENT_WATER]
    assert months == [500, 502, 520]
    assert [x.net_grosze for x in inv.lines if x.component == ABONAMENT_SEWAGE] == [300, 301, 310]
    assert inv.net_grosze == 118540
    assert inv.vat_grosze == 9483
    assert inv.gross_grosze == 128023
    assert zl(inv.gross_grosze) == "1\u00a0280,23 zł"


def test_vat_is_computed_once_on_the_total_and_shared_over_lines():
    inv = golden()
    assert sum(x.vat_grosze for x in inv.lines) == 9483
    assert all(x.net_grosze + x.vat_grosze == x.gross_grosze for x in inv.lines)
    assert all(x.vat_rate == "8" for x in inv.lines)


def test_garden_split_uses_the_same_rule():
    parts = split_by_days(D(12), date(2025, 6, 1), date(2025, 8, 31), [CHANGE])
    assert [p.quantity for p in parts] == [D("7.57"), D("4.43")]


def test_sewage_meter_wins_over_main_minus_garden():
    inv = compute_invoice(
        period_from=date(2025, 6, 1),
        period_to=date(2025, 8, 31),
        consumption=Consumption(main=D(90), garden=D(12), sewage_meter=D(50)),
        prices=golden_prices(),
    )
    assert inv.quantity(SEWAGE) == D(50)
    assert inv.quantity(WATER) == D(90)


def test_no_sewer_no_sewage_lines():
    inv = compute_invoice(
        period_from=date(2025, 6, 1),
        period_to=date(2025, 8, 31),
        consumption=Consumption(main=D(90), sewer=False),
        prices=golden_prices(),
    )
    assert inv.quantity(SEWAGE) == 0
    assert inv.component_net(ABONAMENT_SEWAGE) == 0


def test_two_tariff_changes_in_one_period():
    second = date(2025, 8, 16)
    prices = PriceTable(
        [
            Price(WATER, "m3", 400, date(2025, 1, 1), date(2025, 7, 28)),
            Price(WATER, "m3", 420, CHANGE, second.replace(day=15)),
            Price(WATER, "m3", 450, second),
            Price(SEWAGE, "m3", 1000, date(2025, 1, 1), date(2025, 7, 28)),
            Price(SEWAGE, "m3", 1050, CHANGE, second.replace(day=15)),
            Price(SEWAGE, "m3", 1100, second),
            Price(ABONAMENT_WATER, "month", 500, date(2025, 1, 1), date(2025, 7, 28)),
            Price(ABONAMENT_WATER, "month", 520, CHANGE, second.replace(day=15)),
            Price(ABONAMENT_WATER, "month", 540, second),
        ]
    )
    inv = compute_invoice(
        period_from=date(2025, 6, 1),
        period_to=date(2025, 8, 31),
        consumption=Consumption(main=D(92), garden=D(10)),
        prices=prices,
    )
    water = [x for x in inv.lines if x.component == WATER]
    # D = 92 days: 58 + 18 + 16; Q_cum = 58.00, 76.00, 92.
    assert [(x.quantity, x.unit_net_grosze) for x in water] == [
        (D("58.00"), 400),
        (D("18.00"), 420),
        (D("16.00"), 450),
    ]
    sewage = [x for x in inv.lines if x.component == SEWAGE]
    # garden 10: cum 6.30, 8.26, 10 → 6.30, 1.96, 1.74
    assert [x.quantity for x in sewage] == [D("51.70"), D("16.04"), D("14.26")]
    assert sum(x.quantity for x in sewage) == D(82)
    aug = [x for x in inv.lines if x.component == ABONAMENT_WATER][-1]
    # VIII: 5.20 × 15/31 + 5.40 × 16/31 = 2.5161 + 2.7871 = 5.3032 → 5.30
    assert aug.net_grosze == 530


def test_garden_abonament_charged_when_the_sub_meter_exists():
    extra = [Price(ABONAMENT_GARDEN, "month", 150, date(2025, 1, 1))]
    inv = compute_invoice(
        period_from=date(2025, 6, 1),
        period_to=date(2025, 8, 31),
        consumption=Consumption(main=D(90), garden=D(12)),
        prices=golden_prices(extra),
    )
    assert inv.component_net(ABONAMENT_GARDEN) == 450
    no_garden = compute_invoice(
        period_from=date(2025, 6, 1),
        period_to=date(2025, 8, 31),
        consumption=Consumption(main=D(90)),
        prices=golden_prices(extra),
    )
    assert no_garden.component_net(ABONAMENT_GARDEN) == 0


def test_abonament_charged_with_zero_consumption_and_prorated_partial_month():
    inv = compute_invoice(
        period_from=date(2025, 6, 16),
        period_to=date(2025, 8, 31),
        consumption=Consumption(main=D(0)),
        prices=golden_prices(),
    )
    assert inv.quantity(WATER) == 0
    water_ab = [x.net_grosze for x in inv.lines if x.component == ABONAMENT_WATER]
    assert water_ab == [250, 502, 520]  # VI: 5.00 × 15/30
    assert inv.net_grosze > 0


def test_quarterly_abonament_is_a_monthly_third():
    prices = PriceTable(
        [
            Price(WATER, "m3", 489, date(2025, 1, 1)),
            Price(ABONAMENT_WATER, "quarter", 885, date(2025, 1, 1)),
        ]
    )
    inv = compute_invoice(
        period_from=date(2025, 1, 1),
        period_to=date(2025, 6, 30),
        consumption=Consumption(main=D(20), sewer=False),
        prices=prices,
    )
    ab = [x for x in inv.lines if x.component == ABONAMENT_WATER]
    assert len(ab) == 1 and ab[0].quantity == 6 and ab[0].unit_net_grosze == 295
    assert inv.component_net(ABONAMENT_WATER) == 1770


def test_missing_price_is_a_clear_error():
    prices = PriceTable([Price(WATER, "m3", 400, date(2025, 7, 1))])
    with pytest.raises(DomainError) as err:
        compute_invoice(
            period_from=date(2025, 6, 1),
            period_to=date(2025, 8, 31),
            consumption=Consumption(main=D(10), sewer=False),
            prices=prices,
        )
    assert "Brak ceny" in err.value.message and "01.06.2025" in err.value.message


def test_garden_above_main_is_refused():
    with pytest.raises(DomainError):
        compute_invoice(
            period_from=date(2025, 6, 1),
            period_to=date(2025, 8, 31),
            consumption=Consumption(main=D(5), garden=D(6)),
            prices=golden_prices(),
        )
