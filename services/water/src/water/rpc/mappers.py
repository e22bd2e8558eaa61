"""Conversions between domain objects and water's protobuf messages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from google.protobuf.timestamp_pb2 import Timestamp

from portal.common.v1 import common_pb2
from portal.water.v1 import water_pb2
from portal_platform.errors import InvalidArgument
from water.policy import Policy, today
from water.premises.models import Meter, Premises
from water.premises.service import legalisation_due, legalisation_expires
from water.readings.models import Reading
from water.readings.rules import KIND_LABELS, SOURCE_LABELS, STATUS_LABELS, Warning
from water.readings.service import ValueInput
from water.settlements.models import Settlement
from water.settlements.plan import PremisesState, line_from_json
from water.tariffs.invoice import Invoice, Line
from water.tariffs.models import TariffPrice
from water.tariffs.prices import COMPONENT_LABELS


def pb_date(d: date | None) -> common_pb2.Date | None:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day) if d else None


def to_date(d: common_pb2.Date, field: str = "date") -> date | None:
    """A protobuf date (empty → None); an impossible date is a clear error."""
    if not d.year:
        return None
    try:
        return date(d.year, d.month, d.day)
    except ValueError:
        raise InvalidArgument("Nieprawidłowa data.", field=field) from None


def ts(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    t = Timestamp()
    t.FromDatetime(value if value.tzinfo else value.replace(tzinfo=UTC))
    return t


def qty(value: Decimal | None) -> str:
    return "" if value is None else format(Decimal(value).normalize(), "f")


def inputs(values: Iterable[water_pb2.ReadingValueInput]) -> list[ValueInput]:
    return [ValueInput(v.meter_id, v.value_m3, v.rollover) for v in values]


def warnings(items: Iterable[Warning]) -> list[water_pb2.Warning]:
    return [water_pb2.Warning(code=w.code, message=w.message, field=w.field) for w in items]


def meter(
    m: Meter,
    policy: Policy,
    *,
    state: PremisesState | None = None,
    premises: Premises | None = None,
) -> water_pb2.Meter:
    last_value, last_date = m.initial_m3, m.installed_on
    if state is not None and state.last_actual is not None and m.id in state.last_actual.end_values:
        last_value, last_date = state.last_actual.end_values[m.id], state.last_actual.period_to
    return water_pb2.Meter(
        meter_id=m.id,
        premises_id=m.premises_id,
        kind=m.kind,
        kind_label=KIND_LABELS.get(m.kind, m.kind),
        serial=m.serial,
        installed_on=pb_date(m.installed_on),
        initial_m3=m.initial_m3,
        removed_on=pb_date(m.removed_on),
        final_m3=m.final_m3 or 0,
        active=m.removed_on is None,
        legalised_on=pb_date(m.legalised_on),
        legalisation_expires=pb_date(legalisation_expires(m, policy)),
        legalisation_due=legalisation_due(m, policy),
        digits=m.digits,
        replaces_meter_id=m.replaces_id or "",
        last_value_m3=last_value,
        last_value_date=pb_date(last_date),
        premises_number=premises.number if premises else "",
        payer_id=premises.payer_id if premises else "",
    )


def premises(p: Premises, policy: Policy, state: PremisesState | None = None) -> water_pb2.Premises:
    ordered = sorted(
        p.meters, key=lambda m: (m.removed_on is not None, m.kind != "main", m.installed_on)
    )
    return water_pb2.Premises(
        premises_id=p.id,
        payer_id=p.payer_id,
        number=p.number,
        address=p.address,
        group=p.group_code,
        group_label=p.group.label if p.group else p.group_code,
        sewer=p.sewer,
        meters=[meter(m, policy, state=state, premises=p) for m in ordered],
    )


def line(x: Line) -> water_pb2.InvoiceLine:
    return water_pb2.InvoiceLine(
        component=x.component,
        description=x.description,
        quantity=qty(x.quantity),
        unit=x.unit,
        unit_net_grosze=x.unit_net_grosze,
        net_grosze=x.net_grosze,
        vat_rate=x.vat_rate,
        vat_grosze=x.vat_grosze,
        gross_grosze=x.gross_grosze,
        period_from=pb_date(x.period_from),
        period_to=pb_date(x.period_to),
    )


def preview(
    invoice: Invoice, *, water: Decimal, garden: Decimal | None, deducted: int = 0
) -> water_pb2.InvoicePreview:
    sewage = sum(
        (x.quantity for x in invoice.lines if x.component == "sewage" and x.quantity > 0),
        Decimal(0),
    )
    return water_pb2.InvoicePreview(
        period_from=pb_date(invoice.period_from),
        period_to=pb_date(invoice.period_to),
        lines=[line(x) for x in invoice.lines],
        net_grosze=invoice.net_grosze,
        vat_grosze=invoice.vat_grosze,
        gross_grosze=invoice.gross_grosze,
        water_m3=qty(water),
        sewage_m3=qty(sewage),
        garden_m3=qty(garden),
        estimates_deducted_grosze=deducted,
    )


def settlement_preview(s: Settlement) -> water_pb2.InvoicePreview:
    lines = tuple(line_from_json(x) for x in s.lines)
    inv = Invoice(s.period_from, s.period_to, lines, s.net_grosze, s.vat_grosze, s.gross_grosze)
    return preview(
        inv,
        water=Decimal(s.water_m3),
        garden=Decimal(s.garden_m3) if s.garden_m3 is not None else None,
    )


def reading(
    r: Reading,
    p: Premises | None,
    *,
    preview_pb: water_pb2.InvoicePreview | None = None,
) -> water_pb2.Reading:
    meters = {m.id: m for m in p.meters} if p else {}
    values = []
    for v in r.values:
        m = meters.get(v.meter_id)
        used = v.value_m3 - v.previous_m3 + (10**m.digits if m and v.rollover else 0)
        values.append(
            water_pb2.ReadingValue(
                meter_id=v.meter_id,
                meter_serial=m.serial if m else "",
                meter_kind=m.kind if m else "",
                value_m3=v.value_m3,
                submitted_m3=v.submitted_m3,
                previous_m3=v.previous_m3,
                consumption_m3=str(used),
                rollover=v.rollover,
            )
        )
    values.sort(key=lambda v: (v.meter_kind != "main", v.meter_kind))
    return water_pb2.Reading(
        reading_id=r.id,
        premises_id=r.premises_id,
        payer_id=r.payer_id,
        reading_date=pb_date(r.reading_date),
        source=r.source,
        source_label=SOURCE_LABELS.get(r.source, r.source),
        status=r.status,
        status_label=STATUS_LABELS.get(r.status, r.status),
        flagged=r.flagged,
        flag_note=r.flag_note,
        reason=r.reason,
        values=values,
        submitted_at=ts(r.created_at),
        decided_at=ts(r.decided_at),
        settlement_id=r.settlement_id or "",
        premises_number=p.number if p else "",
        premises_address=p.address if p else "",
        group=p.group_code if p else "",
        preview=preview_pb,
    )


def tariff_price(t: TariffPrice) -> water_pb2.TariffPrice:
    return water_pb2.TariffPrice(
        price_id=t.id,
        group=t.group_code,
        component=t.component,
        component_label=COMPONENT_LABELS.get(t.component, t.component),
        unit=t.unit,
        net_grosze=t.net_grosze,
        valid_from=pb_date(t.valid_from),
        valid_to=pb_date(t.valid_to),
        announced=t.valid_from > today(),
    )


def settlement(s: Settlement, number: str = "") -> water_pb2.Settlement:
    return water_pb2.Settlement(
        settlement_id=s.id,
        premises_id=s.premises_id,
        reading_id=s.reading_id,
        kind=s.kind,
        period_from=pb_date(s.period_from),
        period_to=pb_date(s.period_to),
        water_m3=qty(s.water_m3),
        sewage_m3=qty(s.sewage_m3),
        net_grosze=s.net_grosze,
        vat_grosze=s.vat_grosze,
        gross_grosze=s.gross_grosze,
        lines=[line(line_from_json(x)) for x in s.lines],
        settled_by_id=s.settled_by_id or "",
        created_at=ts(s.created_at),
        premises_number=number,
        title=s.title,
    )


def chart_label(a: date, b: date) -> str:
    return f"{a:%m.%Y}–{b:%m.%Y}" if (a.year, a.month) != (b.year, b.month) else f"{b:%m.%Y}"


def premises_by_id(items: Sequence[Premises]) -> dict[str, Premises]:
    return {p.id: p for p in items}
