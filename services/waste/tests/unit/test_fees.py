"""Fee arithmetic, schedules and deadlines (pure rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal_platform.errors import InvalidArgument
from waste.assessment.fees import Basis, RateValue, monthly_fee, plan_year, recalculate
from waste.declarations import rules
from waste.declarations.schemas import RawInput
from waste.schedule.rules import DEFAULT, next_working_day

RATE = RateValue(3700, 200, Decimal(2))


def rates(method: str, month: int) -> RateValue:
    return RATE


def test_four_residents_composting_is_140_a_month_and_420_a_quarter():
    basis = Basis("per_resident", date(2027, 1, 1), residents=4, composting=True)
    assert monthly_fee(basis, RATE) == 14000
    plan = plan_year(2027, [basis], rates, DEFAULT)
    assert [p.amount_grosze for p in plan.installments] == [42000] * 4
    assert [p.due_date for p in plan.installments] == [
        date(2027, 3, 15),
        date(2027, 5, 17),  # 15.05.2027 is a Saturday
        date(2027, 9, 15),
        date(2027, 11, 15),
    ]


def test_no_rounding_beyond_grosze():
    area = Basis("per_area_m2", date(2027, 1, 1), area_m2=Decimal("54.5"), households=1)
    assert monthly_fee(area, RateValue(153)) == 8339  # 54.5 × 1.53 = 83.385 → 83.39
    water = Basis("per_water_m3", date(2027, 1, 1), households=1)
    assert monthly_fee(water, RateValue(1250), water_m3=Decimal("7.333")) == 9166
    assert monthly_fee(water, RateValue(1250), water_m3=Decimal(30), household_cap=24703) == 24703


def test_not_sorting_multiplies_the_rate():
    basis = Basis("per_resident", date(2027, 1, 1), residents=2, not_sorting=True)
    assert monthly_fee(basis, RateValue(3700, 0, Decimal(3))) == 22200


def test_sunday_and_holidays_move_to_the_next_working_day():
    assert next_working_day(date(2026, 11, 15)) == date(2026, 11, 16)  # Sunday
    assert next_working_day(date(2027, 11, 11)) == date(2027, 11, 12)  # Independence Day
    assert next_working_day(date(2027, 5, 1)) == date(2027, 5, 4)  # Sat, 3 May holiday (Mon)
    assert next_working_day(date(2027, 3, 15)) == date(2027, 3, 15)


def test_change_in_june_recomputes_september_and_november_only():
    four = Basis("per_resident", date(2027, 1, 1), number=1, residents=4, composting=True)
    three = Basis("per_resident", date(2027, 6, 1), number=2, residents=3, composting=True)
    plan = plan_year(2027, [four, three], rates, DEFAULT)
    booked = {p.number: (p.due_date, 42000) for p in plan.installments}
    changes = recalculate(plan, booked, date(2027, 6, 20))
    assert [(c.number, c.target_grosze, c.delta_grosze) for c in changes] == [
        (3, 28000, -14000),  # July–September at 105 zł, less June's 35 zł already assessed
        (4, 31500, -10500),
    ]


def test_input_rules_name_the_field():
    with pytest.raises(InvalidArgument) as e:
        rules.parse_input(RawInput("per_resident", residents="-1"), "single_family")
    assert e.value.field == "residents"
    with pytest.raises(InvalidArgument) as e:
        rules.parse_input(RawInput("per_area_m2", area_m2="dużo"), "multi_family")
    assert e.value.field == "area_m2"
    with pytest.raises(InvalidArgument) as e:
        rules.parse_input(RawInput("per_resident", residents="2", composting=True), "multi_family")
    assert e.value.field == "composting"
    ok = rules.parse_input(RawInput("per_area_m2", area_m2="54,5"), "multi_family")
    assert ok.area_m2 == Decimal("54.5")


def test_deadlines():
    assert rules.change_deadline(date(2027, 6, 5)) == date(2027, 7, 10)
    assert not rules.is_late(first=False, change_date=date(2027, 6, 5), filed_on=date(2027, 7, 10))
    assert rules.is_late(first=False, change_date=date(2027, 6, 5), filed_on=date(2027, 7, 11))
    assert rules.is_late(first=True, change_date=date(2027, 6, 5), filed_on=date(2027, 6, 20))
    with pytest.raises(InvalidArgument) as e:
        rules.check_decrease(
            decrease=True, late=True, applies_from=date(2027, 3, 1),
            filed_on=date(2027, 6, 20), reason="", by_staff=True,
        )  # fmt: skip
    assert e.value.field == "reason"
    rules.check_decrease(
        decrease=True, late=True, applies_from=date(2027, 3, 1),
        filed_on=date(2027, 6, 20), reason="zgon mieszkańca 2.03.2027 (akt zgonu)", by_staff=True,
    )  # fmt: skip


def test_a_declaration_confirmed_after_the_assessment_gets_its_installments_with_catch_up():
    june = Basis("per_resident", date(2027, 6, 1), residents=4, composting=True)
    plan = plan_year(2027, [june], rates, DEFAULT)
    changes = recalculate(plan, {}, date(2027, 6, 20))
    assert [(c.number, c.target_grosze, c.create) for c in changes] == [
        (3, 42000 + 14000, True),  # July–September plus June, whose installment is already due
        (4, 42000, True),
    ]
