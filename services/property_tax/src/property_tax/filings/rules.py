"""Checking what a taxpayer typed: categories, areas, values, shares that sum to 1."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from portal_platform.errors import InvalidArgument
from property_tax.filings.schemas import ObjectData, ObjectIn
from property_tax.rates.catalog import CATEGORIES

MAX_OBJECTS = 200
MAX_AREA = Decimal("100000000")  # m²; far above any plot in a gmina
MAX_VALUE_GROSZE = 10**15


def _decimal(text: str, field: str, what: str, places: int) -> Decimal:
    cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not cleaned:
        return Decimal(0)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidArgument(f"{what}: podaj liczbę, np. 120,5.", field=field) from None
    if not value.is_finite():
        raise InvalidArgument(f"{what}: podaj liczbę, np. 120,5.", field=field)
    if value < 0:
        raise InvalidArgument(f"{what} nie może być ujemna.", field=field)
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise InvalidArgument(f"{what}: najwyżej {places} miejsca po przecinku.", field=field)
    if value > MAX_AREA:
        raise InvalidArgument(f"{what} jest nierealnie duża.", field=field)
    return value


def parse_share(text: str, field: str, who: str) -> Fraction:
    """A share typed as "1/2", "0,5" or "1"; between 0 (exclusive) and 1."""
    cleaned = (text or "").strip().replace(" ", "").replace(",", ".")
    try:
        share = Fraction(cleaned) if cleaned else Fraction(1)
    except (ValueError, ZeroDivisionError):
        raise InvalidArgument(f"{who}: udział podaj jako ułamek, np. 1/2.", field=field) from None
    if not 0 < share <= 1 or share.denominator > 10**6:
        raise InvalidArgument(
            f"{who}: udział musi być większy od 0 i nie większy niż 1.", field=field
        )
    return share


def fraction_text(f: Fraction) -> str:
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def parse_object(i: int, obj: ObjectIn) -> ObjectData:
    """Check one object (position i); messages say which position and field."""
    where = f"objects[{i}]"
    n = f"Pozycja {i + 1}"
    cat = CATEGORIES.get(obj.category)
    if cat is None:
        raise InvalidArgument(
            f"{n}: nieznany rodzaj przedmiotu opodatkowania.", field=f"{where}.category"
        )
    location = " ".join(obj.location.split())
    if not location:
        raise InvalidArgument(
            f"{n}: podaj położenie (adres, nr działki lub księgi wieczystej).",
            field=f"{where}.location",
        )
    places = 4 if cat.unit == "ha" else 2
    area = _decimal(obj.area, f"{where}.area", f"{n}: powierzchnia", places)
    reduced = _decimal(
        obj.area_reduced, f"{where}.area_reduced", f"{n}: powierzchnia o wysokości 1,40–2,20 m", 2
    )
    value = _decimal(obj.value, f"{where}.value", f"{n}: wartość budowli", 2)
    if cat.by_value:
        if value <= 0:
            raise InvalidArgument(f"{n}: podaj wartość budowli w złotych.", field=f"{where}.value")
        if value * 100 > MAX_VALUE_GROSZE:
            raise InvalidArgument(
                f"{n}: wartość budowli jest nierealnie duża.", field=f"{where}.value"
            )
        area = reduced = Decimal(0)
    else:
        if cat.group != "building":
            reduced = Decimal(0)
        if area + reduced <= 0:
            raise InvalidArgument(f"{n}: podaj powierzchnię ({cat.unit}).", field=f"{where}.area")
        value = Decimal(0)
    share = parse_share(obj.share, f"{where}.share", n)
    others = []
    for co in obj.co_owners:
        name = " ".join(co.name.split())
        if not name and not co.share.strip():
            continue
        if not name:
            raise InvalidArgument(
                f"{n}: podaj imię i nazwisko współwłaściciela.", field=f"{where}.co_owners"
            )
        others.append((name[:200], parse_share(co.share, f"{where}.co_owners", f"{n}, {name}")))
    total = share + sum((s for _, s in others), Fraction(0))
    if total != 1:
        raise InvalidArgument(
            f"{n}: udziały współwłaścicieli sumują się do {fraction_text(total)}, a razem muszą "
            "wynosić 1 (np. 1/2 + 1/2).",
            field=f"{where}.share",
        )
    return ObjectData(
        cat.key, location[:300], area, reduced, int(value * 100), share, tuple(others)
    )


def parse_objects(objects: tuple[ObjectIn, ...]) -> list[ObjectData]:
    if len(objects) > MAX_OBJECTS:
        raise InvalidArgument(
            f"Najwyżej {MAX_OBJECTS} przedmiotów w jednym zgłoszeniu.", field="objects"
        )
    return [parse_object(i, o) for i, o in enumerate(objects)]
