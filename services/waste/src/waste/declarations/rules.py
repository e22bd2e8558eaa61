"""Rules of declarations: the content, composting, and the deadlines of filing and changes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from portal_platform.errors import InvalidArgument
from waste.assessment.fees import METHODS
from waste.declarations.schemas import DeclaredInput, RawInput

FIRST_FILING_DAYS = 14
CHANGE_DAY_OF_NEXT_MONTH = 10
MAX_RESIDENTS = 500
MAX_AREA = Decimal("100000")


def _int(value: str, field: str, label: str, *, maximum: int = 10_000) -> int:
    text = value.strip()
    if not text:
        return 0
    try:
        number = int(text)
    except ValueError:
        raise InvalidArgument(f"{label}: podaj liczbę całkowitą.", field=field) from None
    if number < 0:
        raise InvalidArgument(f"{label} nie może być ujemna.", field=field)
    if number > maximum:
        raise InvalidArgument(f"{label}: wartość jest zbyt duża.", field=field)
    return number


def _decimal(value: str, field: str, label: str, *, maximum: Decimal) -> Decimal | None:
    text = value.strip().replace(",", ".").replace(" ", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidArgument(f"{label}: podaj liczbę, np. 54,5.", field=field) from None
    if not number.is_finite():
        raise InvalidArgument(f"{label}: podaj liczbę, np. 54,5.", field=field)
    if number < 0:
        raise InvalidArgument(f"{label} nie może być ujemna.", field=field)
    if number > maximum:
        raise InvalidArgument(f"{label}: wartość jest zbyt duża.", field=field)
    return number


def parse_input(raw: RawInput, property_kind: str) -> DeclaredInput:
    """Validate the declared content; each error names its field in Polish."""
    method = raw.method.strip()
    if method not in METHODS:
        raise InvalidArgument("Wybierz sposób naliczania opłaty.", field="method")
    residents = _int(raw.residents, "residents", "Liczba mieszkańców", maximum=MAX_RESIDENTS)
    area = _decimal(raw.area_m2, "area_m2", "Powierzchnia lokalu", maximum=MAX_AREA)
    households = _int(raw.households, "households", "Liczba gospodarstw domowych")
    bins = _int(raw.bins, "bins", "Liczba pojemników")
    collections = _int(
        raw.collections_per_month, "collections_per_month", "Liczba odbiorów w miesiącu", maximum=31
    )
    water = _decimal(
        raw.water_m3_month, "water_m3_month", "Średnie zużycie wody", maximum=Decimal(100000)
    )
    if method == "per_resident" and residents == 0:
        raise InvalidArgument("Podaj liczbę mieszkańców (co najmniej 1).", field="residents")
    if method == "per_area_m2" and not area:
        raise InvalidArgument("Podaj powierzchnię lokalu w m².", field="area_m2")
    if method == "per_bin":
        if bins == 0:
            raise InvalidArgument("Podaj liczbę pojemników.", field="bins")
        if collections == 0:
            raise InvalidArgument(
                "Podaj liczbę odbiorów w miesiącu.", field="collections_per_month"
            )
    if method == "cottage" and property_kind != "cottage":
        raise InvalidArgument(
            "Ryczałt dotyczy tylko domków letniskowych i nieruchomości rekreacyjnych.",
            field="method",
        )
    if raw.composting and property_kind != "single_family":
        raise InvalidArgument(
            "Zwolnienie za kompostowanie przysługuje tylko w zabudowie jednorodzinnej.",
            field="composting",
        )
    if method in ("per_water_m3", "per_area_m2", "per_household") and households == 0:
        households = 1
    return DeclaredInput(
        method=method,
        residents=residents,
        area_m2=area or Decimal(0),
        households=households,
        bins=bins,
        collections_per_month=collections,
        water_m3_month=water,
        water_premises_id=raw.water_premises_id.strip()[:40],
        composting=raw.composting,
        not_sorting=raw.not_sorting,
    )


def first_of_month(d: date) -> date:
    return d.replace(day=1)


def change_deadline(change_date: date) -> date:
    """A change is filed in time by the 10th of the month after the change."""
    nxt = (change_date.replace(day=1) + timedelta(days=32)).replace(day=CHANGE_DAY_OF_NEXT_MONTH)
    return nxt


def first_filing_deadline(change_date: date) -> date:
    """The first declaration: within 14 days of the first resident moving in."""
    return change_date + timedelta(days=FIRST_FILING_DAYS)


def is_late(*, first: bool, change_date: date, filed_on: date) -> bool:
    deadline = first_filing_deadline(change_date) if first else change_deadline(change_date)
    return filed_on > deadline


def check_decrease(
    *, decrease: bool, late: bool, applies_from: date, filed_on: date, reason: str, by_staff: bool
) -> None:
    """No retroactive decrease, except after a death: a clerk then overrides with a reason."""
    retroactive = late and applies_from < first_of_month(filed_on)
    if not (decrease and retroactive):
        return
    if by_staff and reason.strip():
        return
    raise InvalidArgument(
        "Zmniejszenie opłaty wstecz jest niedopuszczalne (zmianę zgłoszono po 10. dniu "
        "następnego miesiąca). Wyjątek: śmierć mieszkańca — urzędnik podaje uzasadnienie.",
        field="reason",
    )
