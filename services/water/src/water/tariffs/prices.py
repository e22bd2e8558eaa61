"""A dated price table of one customer group: which net price applies on which day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from portal_platform.errors import DomainError

WATER = "water"
SEWAGE = "sewage"
ABONAMENT_WATER = "abonament_water"
ABONAMENT_SEWAGE = "abonament_sewage"
ABONAMENT_GARDEN = "abonament_garden"

COMPONENTS = (WATER, SEWAGE, ABONAMENT_WATER, ABONAMENT_SEWAGE, ABONAMENT_GARDEN)
COMPONENT_LABELS = {
    WATER: "Woda",
    SEWAGE: "Ścieki",
    ABONAMENT_WATER: "Abonament wodny",
    ABONAMENT_SEWAGE: "Abonament kanalizacyjny",
    ABONAMENT_GARDEN: "Abonament za podlicznik ogrodowy",
}
# Units of a price: m³ for quantities; the abonament is per month, per quarter or per invoice.
UNITS = {
    WATER: ("m3",),
    SEWAGE: ("m3",),
    ABONAMENT_WATER: ("month", "quarter", "period"),
    ABONAMENT_SEWAGE: ("month", "quarter", "period"),
    ABONAMENT_GARDEN: ("month", "quarter", "period"),
}
UNIT_LABELS = {"m3": "m³", "month": "mies.", "quarter": "kwartał", "period": "okres"}


@dataclass(frozen=True)
class Price:
    """Net price of one component in grosze per unit, valid from/to (both inclusive)."""

    component: str
    unit: str
    net_grosze: int
    valid_from: date
    valid_to: date | None = None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class PriceTable:
    """The prices of one group, looked up by component and day."""

    def __init__(self, prices: Iterable[Price], group_label: str = "") -> None:
        self.group_label = group_label
        self.memo: dict[tuple[object, ...], object] = {}  # results that depend on prices only
        self._by_component: dict[str, list[Price]] = {}
        for p in prices:
            self._by_component.setdefault(p.component, []).append(p)
        for items in self._by_component.values():
            items.sort(key=lambda p: p.valid_from)

    def has(self, component: str) -> bool:
        return bool(self._by_component.get(component))

    def price_on(self, component: str, day: date) -> Price:
        """The price in force on `day`; a clear error when the table has a gap."""
        for p in self._by_component.get(component, ()):
            if p.covers(day):
                return p
        raise DomainError(
            f"Brak ceny „{COMPONENT_LABELS.get(component, component)}” na dzień "
            f"{day:%d.%m.%Y}. Uzupełnij taryfę.",
            code="tariff.missing_price",
            field=component,
        )

    def change_dates(self, component: str, start: date, end: date) -> list[date]:
        """Days in (start, end] on which the price differs from the day before (gaps refused)."""
        key = ("changes", component, start, end)
        if key not in self.memo:
            self.memo[key] = self._change_dates(component, start, end)
        return list(cast(list[date], self.memo[key]))

    def _change_dates(self, component: str, start: date, end: date) -> list[date]:
        self.price_on(component, start)
        candidates = set()
        for p in self._by_component.get(component, ()):
            candidates.add(p.valid_from)
            if p.valid_to is not None:
                candidates.add(p.valid_to + timedelta(days=1))
        changes = []
        for day in sorted(d for d in candidates if start < d <= end):
            now = self.price_on(component, day)
            before = self.price_on(component, day - timedelta(days=1))
            if (before.net_grosze, before.unit) != (now.net_grosze, now.unit):
                changes.append(day)
        return changes
