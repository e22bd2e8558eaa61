"""Planning an invoice of a premises (pure): from where the last actual settlement ended."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from water.readings.rules import GARDEN, MAIN, SEWAGE_METER, MeterInfo, consumption_by_kind
from water.tariffs.invoice import (
    Consumption,
    Invoice,
    Line,
    assemble,
    compute_invoice,
    reversal_lines,
)
from water.tariffs.prices import PriceTable
from water.tariffs.split import days_inclusive


@dataclass(frozen=True)
class PastSettlement:
    """What a new invoice needs to know of an earlier one."""

    id: str
    kind: str  # actual | estimated
    period_from: date
    period_to: date
    water_m3: Decimal
    garden_m3: Decimal | None
    sewage_m3: Decimal
    end_values: Mapping[str, int]
    lines: Sequence[Line] = ()
    gross_grosze: int = 0
    reading_id: str = ""  # its charge's idempotency key in billing


@dataclass(frozen=True)
class PremisesState:
    """A premises with its meters and the settlements the next invoice builds on."""

    premises_id: str
    payer_id: str
    group: str
    sewer: bool
    meters: tuple[MeterInfo, ...]
    last_actual: PastSettlement | None = None
    open_estimates: tuple[PastSettlement, ...] = ()
    history: tuple[PastSettlement, ...] = ()  # actual settlements, newest first

    @property
    def start_date(self) -> date:
        """The day of the previous actual reading (or of the first installation)."""
        if self.last_actual is not None:
            return self.last_actual.period_to
        mains = [m.installed_on for m in self.meters if m.kind == MAIN] or [
            m.installed_on for m in self.meters
        ]
        return min(mains) if mains else date.min

    @property
    def last_any_date(self) -> date:
        dates = [s.period_to for s in self.open_estimates]
        return max([self.start_date, *dates])

    def previous_value(self, meter: MeterInfo) -> int:
        """The counter a new reading of this installation is compared with (R11)."""
        if self.last_actual is not None and meter.installed_on <= self.start_date:
            return int(self.last_actual.end_values.get(meter.id, meter.initial_m3))
        return meter.initial_m3

    def start_values(self) -> dict[str, int]:
        return {m.id: self.previous_value(m) for m in self.meters}

    def has(self, kind: str, on: date) -> bool:
        return any(m.kind == kind and m.active_on(on) for m in self.meters)

    def average_daily(self, kind: str = MAIN, *, since: date | None = None) -> Decimal | None:
        """Average m³ per day over the actual settlements (optionally only the recent ones)."""
        used, days = Decimal(0), 0
        for s in self.history:
            if since is not None and s.period_to < since:
                continue
            q = s.water_m3 if kind == MAIN else s.garden_m3 if kind == GARDEN else s.sewage_m3
            if q is None:
                continue
            used += q
            days += days_inclusive(s.period_from, s.period_to)
        return used / days if days else None


@dataclass(frozen=True)
class Plan:
    """An invoice ready to be stored: period, quantities, lines and the counters at its end."""

    period_from: date
    period_to: date
    consumption: Consumption
    invoice: Invoice
    end_values: dict[str, int]
    settles: tuple[str, ...] = ()  # estimated settlements this one settles
    deducted_grosze: int = 0
    per_kind: dict[str, int] = field(default_factory=dict)
    settles_charges: tuple[str, ...] = ()  # billing keys (reading ids) of the settled estimates


def plan_actual(
    state: PremisesState,
    prices: PriceTable,
    reading_date: date,
    values: Mapping[str, int],
    *,
    rollovers: Sequence[str] = (),
    vat_rate: str = "8",
) -> Plan:
    """The invoice from the previous actual reading to this one, settling open estimates."""
    start = state.start_date
    per_kind = consumption_by_kind(
        state.meters, start, reading_date, state.start_values(), values, rollovers
    )
    consumption = Consumption(
        main=Decimal(per_kind.get(MAIN, 0)),
        garden=Decimal(per_kind[GARDEN]) if GARDEN in per_kind else None,
        sewage_meter=Decimal(per_kind[SEWAGE_METER]) if SEWAGE_METER in per_kind else None,
        sewer=state.sewer,
    )
    period_from = start + timedelta(days=1)
    invoice = compute_invoice(
        period_from=period_from,
        period_to=reading_date,
        consumption=consumption,
        prices=prices,
        vat_rate=vat_rate,
    )
    deducted = 0
    if state.open_estimates:
        lines = list(invoice.lines)
        for est in state.open_estimates:
            note = (
                f"Rozliczenie faktury szacunkowej {est.period_from:%d.%m.%Y}–"
                f"{est.period_to:%d.%m.%Y}"
            )
            lines += reversal_lines(est.lines, note)
            deducted += est.gross_grosze
        invoice = assemble(period_from, reading_date, lines)
    end_values = {m.id: int(values[m.id]) for m in state.meters if m.id in values}
    return Plan(
        period_from,
        reading_date,
        consumption,
        invoice,
        end_values,
        tuple(e.id for e in state.open_estimates),
        deducted,
        per_kind,
        tuple(e.reading_id for e in state.open_estimates if e.reading_id),
    )


def plan_estimate(
    state: PremisesState,
    prices: PriceTable,
    on: date,
    *,
    since: date | None = None,
    vat_rate: str = "8",
) -> Plan | None:
    """An estimated invoice: average daily consumption × days since the last invoice."""
    start = state.last_any_date
    if on <= start:
        return None
    days = (on - start).days
    estimates: dict[str, Decimal] = {}
    for kind in (MAIN, GARDEN, SEWAGE_METER):
        if not state.has(kind, on):
            continue
        avg = state.average_daily(kind, since=since)
        if avg is None:
            if kind == MAIN:
                return None
            continue
        estimates[kind] = (avg * days).quantize(Decimal(1), rounding="ROUND_HALF_UP")
    main = estimates[MAIN]
    garden = min(estimates[GARDEN], main) if GARDEN in estimates else None
    consumption = Consumption(
        main=main, garden=garden, sewage_meter=estimates.get(SEWAGE_METER), sewer=state.sewer
    )
    period_from = start + timedelta(days=1)
    invoice = compute_invoice(
        period_from=period_from,
        period_to=on,
        consumption=consumption,
        prices=prices,
        vat_rate=vat_rate,
    )
    base = dict(state.start_values())
    for est in state.open_estimates:
        base.update(est.end_values)
    end_values: dict[str, int] = {}
    for m in state.meters:
        if m.active_on(on) and m.kind in estimates:
            end_values[m.id] = base.get(m.id, m.initial_m3) + int(estimates[m.kind])
    return Plan(
        period_from,
        on,
        consumption,
        invoice,
        end_values,
        per_kind={k: int(v) for k, v in estimates.items()},
    )


def line_to_json(line: Line) -> dict[str, Any]:
    return {
        "component": line.component,
        "description": line.description,
        "quantity": str(line.quantity),
        "unit": line.unit,
        "unit_net_grosze": line.unit_net_grosze,
        "net_grosze": line.net_grosze,
        "vat_rate": line.vat_rate,
        "vat_grosze": line.vat_grosze,
        "gross_grosze": line.gross_grosze,
        "period_from": line.period_from.isoformat(),
        "period_to": line.period_to.isoformat(),
    }


def line_from_json(data: Mapping[str, Any]) -> Line:
    return Line(
        component=str(data["component"]),
        description=str(data["description"]),
        quantity=Decimal(str(data["quantity"])),
        unit=str(data["unit"]),
        unit_net_grosze=int(data["unit_net_grosze"]),
        net_grosze=int(data["net_grosze"]),
        period_from=date.fromisoformat(str(data["period_from"])),
        period_to=date.fromisoformat(str(data["period_to"])),
        vat_rate=str(data["vat_rate"]),
        vat_grosze=int(data["vat_grosze"]),
        gross_grosze=int(data["gross_grosze"]),
    )
