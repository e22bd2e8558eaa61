"""Late interest (both regimes) and allocation of payments: the rules of domain.md."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from billing.ledger.rates import TAX_STANDARD, parse_table, periods
from billing.ledger.rules import CivilRegime, OpenItem, TaxRegime, allocate

FLAT_10_5 = ((date(2000, 1, 1), Decimal("10.5")),)
FLAT_10 = ((date(2000, 1, 1), Decimal("10")),)
DUE = date(2026, 3, 15)


def test_domain_example_420_zl_25_days_is_not_charged():
    # 420 zł × 25 days × 10.5% / 365 = 3.02 → 3 zł → ≤ 8.70 zł → not charged
    assert TaxRegime(FLAT_10_5).interest(42_000, DUE, DUE + timedelta(days=25)) == 0


def test_domain_example_1260_zl_60_days_at_10_percent_is_21_zl():
    # 1 260 zł × 60 days × 10% / 365 = 20.71 → 21 zł
    assert TaxRegime(FLAT_10).interest(126_000, DUE, DUE + timedelta(days=60)) == 2_100


def test_tax_interest_is_rounded_to_whole_zloty_first_then_the_threshold_applies():
    table = ((date(2000, 1, 1), Decimal("36.5")),)  # 0.1% a day
    ten_days = DUE + timedelta(days=10)
    assert TaxRegime(table).interest(84_900, DUE, ten_days) == 0  # 8.49 → 8 zł ≤ 8.70
    assert TaxRegime(table).interest(85_000, DUE, ten_days) == 900  # 8.50 → 9 zł
    assert TaxRegime(table).interest(95_000, DUE, ten_days) == 1_000  # 9.50 → 10 zł
    assert TaxRegime(table).interest(94_900, DUE, ten_days) == 900  # 9.49 → 9 zł


def test_reduced_and_increased_rates_follow_the_standard_one():
    assert TaxRegime(FLAT_10, kind="increased").interest(126_000, DUE, DUE + timedelta(60)) == 3_100
    assert TaxRegime(FLAT_10, kind="reduced").interest(126_000, DUE, DUE + timedelta(60)) == 1_000


def test_rate_change_inside_the_period_uses_each_rate_for_its_days():
    table = parse_table("2000-01-01=10,2026-04-01=20")
    # 16.03–31.03: 16 days at 10%, 01.04–14.04: 14 days at 20%
    assert periods(table, DUE, date(2026, 4, 14)) == [(16, Decimal("10")), (14, Decimal("20"))]
    assert sum(d for d, _ in periods(TAX_STANDARD, date(2025, 10, 1), date(2025, 11, 10))) == 40


def test_civil_interest_is_to_the_grosz_without_threshold():
    # 420 zł × 25 days × 10.5% / 365 = 3.0205 → 3.02 zł
    assert CivilRegime(FLAT_10_5).interest(42_000, DUE, DUE + timedelta(days=25)) == 302


def item(
    i: int,
    principal: int,
    due: date,
    *,
    kind: str = "charge",
    charge: str = "c1",
    module: str = "waste",
) -> OpenItem:
    return OpenItem(i, kind, module, charge, due, principal, 0, due)


def regimes(module: str):
    return CivilRegime(FLAT_10) if module == "water" else TaxRegime(FLAT_10)


def test_partial_late_payment_is_split_proportionally_between_principal_and_interest():
    it = item(1, 126_000, DUE)
    paid_on = DUE + timedelta(days=60)  # interest 21 zł
    result = allocate(64_050, paid_on, [it], regimes)
    parts = {a.kind: a.amount for a in result.applied}
    # 640.50 × 21/1281 = 10.50 interest, 630.00 principal
    assert parts == {"interest": 1_050, "principal": 63_000}
    assert it.principal == 63_000 and it.interest_owed == 1_050 and it.interest_from == paid_on
    assert result.credit == 0


def test_reminder_costs_first_then_oldest_arrears_of_the_indicated_charge():
    reminder = item(9, 1_600, date(2026, 1, 10), kind="reminder_cost", charge=None)
    other_old = item(1, 10_000, date(2025, 11, 15), charge="other")
    indicated_new = item(2, 10_000, date(2026, 3, 15), charge="mine")
    indicated_old = item(3, 10_000, date(2025, 12, 15), charge="mine")
    paid_on = date(2026, 3, 16)  # interest on each is below the threshold
    result = allocate(
        12_600,
        paid_on,
        [other_old, indicated_new, indicated_old, reminder],
        regimes,
        indicated=["mine"],
    )
    assert [(a.receivable_id, a.kind, a.amount) for a in result.applied] == [
        (9, "reminder_cost", 1_600),
        (3, "principal", 10_000),
        (2, "principal", 1_000),
    ]
    assert other_old.principal == 10_000


def test_overpayment_goes_to_other_arrears_then_current_then_credit():
    late = item(1, 5_000, date(2026, 1, 15), charge="a")
    current = item(2, 5_000, date(2026, 6, 15), charge="b")
    result = allocate(12_500, date(2026, 2, 1), [current, late], regimes, indicated=["zzz"])
    assert [a.receivable_id for a in result.applied] == [1, 2]
    assert result.credit == 2_500


def test_civil_regime_pays_interest_first():
    it = item(1, 100_000, DUE, module="water")
    paid_on = DUE + timedelta(days=73)  # 100 000 × 73 × 10% / 365 = 2 000 gr
    result = allocate(5_000, paid_on, [it], regimes)
    assert [(a.kind, a.amount) for a in result.applied] == [
        ("interest", 2_000),
        ("principal", 3_000),
    ]
