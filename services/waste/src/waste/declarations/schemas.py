"""Plain data of declarations, independent of protobuf and the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class RawInput:
    """The form as typed (strings), validated by rules.parse_input."""

    method: str
    residents: str = ""
    area_m2: str = ""
    households: str = ""
    bins: str = ""
    collections_per_month: str = ""
    water_m3_month: str = ""
    water_premises_id: str = ""
    composting: bool = False
    not_sorting: bool = False


@dataclass(frozen=True)
class DeclaredInput:
    """A validated declaration content."""

    method: str
    residents: int = 0
    area_m2: Decimal = Decimal(0)
    households: int = 0
    bins: int = 0
    collections_per_month: int = 0
    water_m3_month: Decimal | None = None
    water_premises_id: str = ""
    composting: bool = False
    not_sorting: bool = False


@dataclass(frozen=True)
class Filing:
    """Who files what, for which property and payer, about a change on which day."""

    property_id: str
    payer_id: str
    raw: RawInput
    change_date: date | None
    filed_on: date
    actor: str
    by_staff: bool
    as_draft: bool
    reason: str = ""
