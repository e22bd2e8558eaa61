"""The arithmetic of property tax without a database: rounding, months, installments, dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from property_tax.assessment.rules import (
    AT_ONCE_LIMIT,
    COMPANY_PERIODS,
    PERSON_PERIODS,
    NothingToAssess,
    ObjectBasis,
    Previous,
    RateBasis,
    allocate,
    effective_from,
    monthly_tax,
    next_working_day,
    object_tax,
    plan,
    round_zl,
)

RATES = {
    "building_residential": RateBasis(rate_grosze=125),
    "land_other": RateBasis(rate_grosze=77),
    "land_water": RateBasis(rate_grosze=715),
    "building_other": RateBasis(rate_grosze=1195),
    "structure": RateBasis(rate_percent=Decimal(2)),
}
HOUSE = (
    ObjectBasis("building_residential", area=Decimal(120)),
    ObjectBasis("land_other", area=Decimal(800)),
)


def person_plan(monthly, previous=None, issued_on=date(2027, 2, 10)):
    return plan(
        year=2027, monthly=monthly, periods=PERSON_PERIODS, previous=previous,
        at_once_limit=AT_ONCE_LIMIT, issued_on=issued_on,
    )  # fmt: skip


def test_rounding_half_up_on_the_total():
    assert round_zl(Fraction(59949)) == 59900
    assert round_zl(Fraction(59950)) == 60000
    assert round_zl(Fraction(119899, 2)) == 59900  # 599.495 zł


def test_object_tax_units_shares_and_half_counted_low_area():
    assert object_tax(HOUSE[0], RATES["building_residential"]) == 15000
    assert (
        object_tax(ObjectBasis("land_water", area=Decimal("2.5")), RATES["land_water"])
        == Fraction(35750, 20) * 1
    )
    attic = ObjectBasis("building_residential", area=Decimal(100), area_reduced=Decimal(30))
    assert object_tax(attic, RATES["building_residential"]) == 115 * 125
    shed = ObjectBasis("structure", value_grosze=12_345_600, share=Fraction(1, 3))
    assert object_tax(shed, RATES["structure"]) == Fraction(12_345_600 * 2, 100 * 3)


def test_house_of_120_m2_on_800_m2_four_installments():
    monthly = monthly_tax(2027, [(date(2019, 1, 1), HOUSE)], RATES)
    p = person_plan(monthly)
    assert p.tax_grosze == 76600
    assert p.amounts == {1: 19150, 2: 19150, 3: 19150, 4: 19150}
    assert [p.due[n] for n in (1, 2, 3, 4)] == [
        date(2027, 3, 15), date(2027, 5, 17), date(2027, 9, 15), date(2027, 11, 15),
    ]  # fmt: skip


def test_odd_grosze_go_to_the_first_installment():
    assert allocate(100, [Fraction(1)] * 3) == [34, 33, 33]
    assert allocate(1_000_100, [Fraction(1)] * 12)[0] == 83_349
    assert sum(allocate(1_000_100, [Fraction(1)] * 12)) == 1_000_100


def test_at_most_100_zl_at_once_by_15_march():
    small = (ObjectBasis("land_other", area=Decimal(100)),)  # 77.00 zł
    p = person_plan(monthly_tax(2027, [(date(2019, 1, 1), small)], RATES))
    assert (p.tax_grosze, p.at_once, p.amounts, p.due[1]) == (
        7700,
        True,
        {1: 7700},
        date(2027, 3, 15),
    )


def test_purchase_in_june_gives_a_change_from_july():
    assert effective_from(date(2027, 6, 12)) == date(2027, 7, 1)
    assert effective_from(date(2027, 12, 3)) == date(2028, 1, 1)
    garage = ObjectBasis("building_other", area=Decimal(20))  # 239.00 zł a year
    before = monthly_tax(2027, [(date(2019, 1, 1), HOUSE)], RATES)
    first = person_plan(before)
    after = monthly_tax(
        2027,
        [(date(2019, 1, 1), HOUSE), (effective_from(date(2027, 6, 12)), (*HOUSE, garage))],
        RATES,
    )
    change = person_plan(
        after, Previous(first.tax_grosze, first.monthly, first.amounts), issued_on=date(2027, 7, 20)
    )
    assert change.from_month == 7
    assert change.tax_grosze == 76600 + 12000  # 766 + 239 × 6/12 = 885.50 → 886 zł
    assert change.charges == {3: 6000, 4: 6000}
    assert change.amounts == {1: 19150, 2: 19150, 3: 25150, 4: 25150}


def test_first_obligation_from_july_pays_september_and_november():
    monthly = monthly_tax(2026, [(effective_from(date(2026, 6, 20)), HOUSE)], RATES)
    p = plan(year=2026, monthly=monthly, periods=PERSON_PERIODS, previous=None,
             at_once_limit=AT_ONCE_LIMIT, issued_on=date(2026, 7, 10))  # fmt: skip
    assert (p.tax_grosze, p.from_month, p.amounts) == (38300, 7, {3: 19150, 4: 19150})
    assert p.due[4] == date(2026, 11, 16)  # 15.11.2026 is a Sunday


def test_late_decision_due_14_days_after_issue_on_a_working_day():
    p = person_plan(
        monthly_tax(2027, [(date(2019, 1, 1), HOUSE)], RATES), issued_on=date(2027, 4, 23)
    )
    assert (p.due[1], p.due[2]) == (date(2027, 5, 7), date(2027, 5, 17))
    assert next_working_day(date(2027, 1, 1)) == date(2027, 1, 4)


def test_sale_is_a_reduction_billing_must_apply():
    before = monthly_tax(2027, [(date(2019, 1, 1), HOUSE)], RATES)
    first = person_plan(before)
    after = monthly_tax(2027, [(date(2019, 1, 1), HOUSE), (date(2027, 10, 1), ())], RATES)
    change = person_plan(after, Previous(first.tax_grosze, first.monthly, first.amounts))
    assert change.tax_grosze == 57500  # 766 × 9/12 = 574.50 → 575 zł
    assert change.charges == {} and change.reduction == 19100
    with pytest.raises(NothingToAssess):
        person_plan(before, Previous(first.tax_grosze, first.monthly, first.amounts))


def test_company_pays_monthly_january_by_31st():
    big = (ObjectBasis("structure", value_grosze=50_005_000),)  # 2 % = 10 001 zł
    p = plan(year=2027, monthly=monthly_tax(2027, [(date(2020, 1, 1), big)], RATES),
             periods=COMPANY_PERIODS, previous=None, at_once_limit=None, issued_on=None)  # fmt: skip
    assert p.tax_grosze == 1_000_100 and not p.at_once
    assert p.amounts[1] == 83_349 and set(list(p.amounts.values())[1:]) == {83_341}
    assert p.due[1] == date(2027, 2, 1)  # 31.01.2027 is a Sunday
    assert p.due[2] == date(2027, 2, 15) and p.due[5] == date(2027, 5, 17)
