"""Plain data of a filing: as typed (strings, so a bad field can be named) and as parsed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from property_tax.taxpayers.service import TaxpayerIn


@dataclass(frozen=True)
class CoOwnerIn:
    name: str
    share: str


@dataclass(frozen=True)
class ObjectIn:
    """One object as typed in the form."""

    category: str
    location: str = ""
    area: str = ""
    area_reduced: str = ""
    value: str = ""
    share: str = ""
    co_owners: tuple[CoOwnerIn, ...] = ()


@dataclass(frozen=True)
class FilingIn:
    """An IN-1 information or DN-1 declaration as filed by a resident or entered by a clerk."""

    payer_id: str
    form: str
    event_date: date | None
    objects: tuple[ObjectIn, ...]
    actor: str
    by_staff: bool
    as_draft: bool
    filed_on: date
    year: int = 0
    declared_tax_grosze: int | None = None
    taxpayer: TaxpayerIn | None = None


@dataclass(frozen=True)
class ObjectData:
    """One object checked: base in its unit, the taxpayer's share and the co-owners'."""

    category: str
    location: str
    area: Decimal
    area_reduced: Decimal
    value_grosze: int
    share: Fraction
    co_owners: tuple[tuple[str, Fraction], ...] = field(default_factory=tuple)
