"""Conversions between the waste domain and its protobuf messages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.common.v1 import common_pb2
from portal.waste.v1 import waste_pb2
from portal_platform.errors import InvalidArgument
from waste.assessment.queries import InstallmentView
from waste.assessment.recalc import RecalcResult
from waste.assessment.service import Summary
from waste.declarations.models import DeclarationVersion
from waste.declarations.schemas import RawInput
from waste.properties.models import Property
from waste.rates.models import Caps, Rate
from waste.schedule.rules import Entry, YearSchedule


def pb_date(d: date | None) -> common_pb2.Date | None:
    if d is None:
        return None
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


def from_pb_date(d: common_pb2.Date, field: str) -> date | None:
    if not d.year:
        return None
    try:
        return date(d.year, d.month, d.day)
    except ValueError:
        raise InvalidArgument("Nieprawidłowa data.", field=field) from None


def _num(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value) if value else ""


def raw_input(i: waste_pb2.DeclarationInput) -> RawInput:
    return RawInput(
        method=i.method,
        residents=i.residents,
        area_m2=i.area_m2,
        households=i.households,
        bins=i.bins,
        collections_per_month=i.collections_per_month,
        water_m3_month=i.water_m3_month,
        water_premises_id=i.water_premises_id,
        composting=i.composting,
        not_sorting=i.not_sorting,
    )


def property_pb(p: Property, *, has_declaration: bool = False) -> waste_pb2.Property:
    return waste_pb2.Property(
        property_id=p.id,
        payer_id=p.payer_id,
        address=p.address,
        kind=p.kind,
        has_declaration=has_declaration,
    )


def version_pb(
    v: DeclarationVersion, *, property_id: str, payer_id: str, address: str, fee: int | None = None
) -> waste_pb2.DeclarationVersion:
    return waste_pb2.DeclarationVersion(
        version_id=v.id,
        declaration_id=v.declaration_id,
        number=v.number,
        property_id=property_id,
        payer_id=payer_id,
        address=address,
        status=v.status,
        source=v.source,
        input=waste_pb2.DeclarationInput(
            method=v.method,
            residents=_num(v.residents),
            area_m2=_num(Decimal(v.area_m2)) if v.area_m2 else "",
            households=_num(v.households),
            bins=_num(v.bins),
            collections_per_month=_num(v.collections_per_month),
            water_m3_month=_num(Decimal(v.water_m3_month)) if v.water_m3_month is not None else "",
            water_premises_id=v.water_premises_id,
            composting=v.composting,
            not_sorting=v.not_sorting,
        ),
        change_date=pb_date(v.change_date),
        applies_from=pb_date(v.applies_from),
        filed_on=pb_date(v.filed_on),
        late=v.late,
        reason=v.reason,
        monthly_fee_grosze=fee or 0,
        decided_by=v.decided_by,
        rejection_reason=v.rejection_reason,
    )


def recalc_pb(r: RecalcResult) -> waste_pb2.Recalculation:
    return waste_pb2.Recalculation(
        installments_changed=r.installments_changed,
        difference_grosze=r.difference_grosze,
        notices=r.notices,
    )


def rate_pb(r: Rate) -> waste_pb2.Rate:
    return waste_pb2.Rate(
        year=r.year,
        method=r.method,
        valid_from_month=r.valid_from_month,
        rate_grosze=r.rate_grosze,
        compost_discount_grosze=r.compost_discount_grosze,
        non_sorting_multiplier=format(Decimal(r.non_sorting_multiplier).normalize(), "f"),
    )


CAP_COLUMNS = (
    "base_grosze",
    "per_resident_grosze",
    "per_water_m3_grosze",
    "per_water_household_grosze",
    "per_area_m2_grosze",
    "per_household_grosze",
    "per_bin_grosze",
    "cottage_grosze",
)


def caps_pb(c: Caps) -> waste_pb2.Caps:
    return waste_pb2.Caps(
        valid_from=pb_date(c.valid_from), **{name: getattr(c, name) for name in CAP_COLUMNS}
    )


def caps_from_pb(c: waste_pb2.Caps) -> Caps:
    valid_from = from_pb_date(c.valid_from, "valid_from")
    if valid_from is None:
        raise InvalidArgument("Podaj datę obowiązywania.", field="valid_from")
    return Caps(valid_from=valid_from, **{name: getattr(c, name) for name in CAP_COLUMNS})


def schedule_pb(year: int, s: YearSchedule) -> waste_pb2.Schedule:
    return waste_pb2.Schedule(
        year=year,
        entries=[waste_pb2.ScheduleEntry(**e.__dict__) for e in s.entries],
        cottage_month=s.cottage_month,
        cottage_day=s.cottage_day,
    )


def entries_from_pb(s: waste_pb2.Schedule) -> tuple[Entry, ...]:
    return tuple(Entry(e.number, e.month, e.day, e.months_from, e.months_to) for e in s.entries)


def summary_pb(s: Summary) -> waste_pb2.AssessmentSummary:
    return waste_pb2.AssessmentSummary(
        year=s.year,
        payers=s.payers,
        declarations=s.declarations,
        installments=s.installments,
        total_grosze=s.total_grosze,
        already_assessed=s.already_assessed,
        charges_requested=s.charges_requested,
        problems=s.problems,
    )


def installment_pb(v: InstallmentView) -> waste_pb2.Installment:
    i = v.installment
    return waste_pb2.Installment(
        installment_id=i.id,
        declaration_id=i.declaration_id,
        property_id=i.property_id,
        address=v.address,
        payer_id=i.payer_id,
        year=i.year,
        number=i.number,
        due_date=pb_date(i.due_date),
        period_from=pb_date(i.period_from),
        period_to=pb_date(i.period_to),
        amount_grosze=i.amount_grosze,
        charge_keys=v.charge_keys,
    )
