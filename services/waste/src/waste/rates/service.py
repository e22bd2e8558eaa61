"""Rates per year and method (refused above the statutory cap) and the caps as dated data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import InvalidArgument
from waste.assessment.fees import RATED_METHODS, RateLookup, RateValue
from waste.rates.models import Caps, Rate

CAP_FIELDS = {
    "per_resident": "per_resident_grosze",
    "per_water_m3": "per_water_m3_grosze",
    "per_area_m2": "per_area_m2_grosze",
    "per_household": "per_household_grosze",
    "per_bin": "per_bin_grosze",
    "cottage": "cottage_grosze",
}
MIN_MULTIPLIER = Decimal(2)
MAX_MULTIPLIER = Decimal(4)


def zl(grosze: int) -> str:
    """Grosze as Polish złoty text, e.g. 6334 → '63,34 zł'."""
    sign = "-" if grosze < 0 else ""
    zl_part, gr = divmod(abs(grosze), 100)
    return f"{sign}{zl_part:,}".replace(",", "\u00a0") + f",{gr:02d} zł"


async def caps_on(session: AsyncSession, day: date) -> Caps:
    """The caps in force on `day` (the earliest known before any)."""
    found = (
        await session.execute(
            select(Caps).where(Caps.valid_from <= day).order_by(Caps.valid_from.desc()).limit(1)
        )
    ).scalar_one_or_none()
    if found is None:
        found = (
            await session.execute(select(Caps).order_by(Caps.valid_from).limit(1))
        ).scalar_one()
    return found


async def list_caps(session: AsyncSession) -> list[Caps]:
    return list((await session.execute(select(Caps).order_by(Caps.valid_from.desc()))).scalars())


async def set_caps(session: AsyncSession, caps: Caps) -> Caps:
    """Add or replace the caps announced from a date."""
    for name in ("base_grosze", *CAP_FIELDS.values(), "per_water_household_grosze"):
        if getattr(caps, name) <= 0:
            raise InvalidArgument("Maksymalna stawka musi być dodatnia.", field=name)
    return await session.merge(caps)


async def set_rate(
    session: AsyncSession,
    *,
    year: int,
    method: str,
    valid_from_month: int,
    rate_grosze: int,
    compost_discount_grosze: int,
    non_sorting_multiplier: str,
    actor: str,
) -> tuple[Rate, dict[str, object] | None]:
    """Set a rate; refuse one above the cap in force. Returns the rate and its previous state."""
    if not 2000 <= year <= 2200:
        raise InvalidArgument("Nieprawidłowy rok.", field="year")
    if method not in RATED_METHODS:
        raise InvalidArgument("Nieznana metoda naliczania.", field="method")
    month = valid_from_month or 1
    if not 1 <= month <= 12:
        raise InvalidArgument("Miesiąc obowiązywania: 1–12.", field="valid_from_month")
    if rate_grosze <= 0:
        raise InvalidArgument("Stawka musi być dodatnia.", field="rate_grosze")
    caps = await caps_on(session, date(year, month, 1))
    cap = int(getattr(caps, CAP_FIELDS[method]))
    if rate_grosze > cap:
        raise InvalidArgument(
            f"Stawka {zl(rate_grosze)} przekracza ustawową maksymalną stawkę {zl(cap)} "
            f"(obowiązującą od {caps.valid_from:%d.%m.%Y}).",
            field="rate_grosze",
        )
    per_unit = method in ("per_resident", "per_household")
    if compost_discount_grosze < 0 or (per_unit and compost_discount_grosze > rate_grosze):
        raise InvalidArgument(
            "Zwolnienie za kompostowanie: od 0 do wysokości stawki.",
            field="compost_discount_grosze",
        )
    try:
        multiplier = Decimal((non_sorting_multiplier or "2").replace(",", "."))
    except ArithmeticError:
        raise InvalidArgument(
            "Krotność stawki za brak segregacji: podaj liczbę od 2 do 4.",
            field="non_sorting_multiplier",
        ) from None
    if not multiplier.is_finite() or not MIN_MULTIPLIER <= multiplier <= MAX_MULTIPLIER:
        raise InvalidArgument(
            "Krotność stawki za brak segregacji: od 2 do 4.", field="non_sorting_multiplier"
        )
    existing = await session.get(Rate, (year, method, month))
    before = rate_dict(existing) if existing else None
    rate = Rate(
        year=year,
        method=method,
        valid_from_month=month,
        rate_grosze=rate_grosze,
        compost_discount_grosze=compost_discount_grosze,
        non_sorting_multiplier=multiplier,
        set_by=actor,
        set_at=datetime.now(UTC),
    )
    return await session.merge(rate), before


def rate_dict(r: Rate) -> dict[str, object]:
    return {
        "year": r.year,
        "method": r.method,
        "valid_from_month": r.valid_from_month,
        "rate_grosze": r.rate_grosze,
        "compost_discount_grosze": r.compost_discount_grosze,
        "non_sorting_multiplier": str(r.non_sorting_multiplier),
    }


async def list_rates(session: AsyncSession, year: int) -> list[Rate]:
    stmt = select(Rate).order_by(Rate.year, Rate.method, Rate.valid_from_month)
    if year:
        stmt = stmt.where(Rate.year == year)
    return list((await session.execute(stmt)).scalars())


async def rate_lookup(session: AsyncSession, year: int) -> RateLookup:
    """A function (method, month) → the rate in force that month of `year`, or None."""
    rates = await list_rates(session, year)
    by_method: dict[str, list[Rate]] = {}
    for r in rates:
        by_method.setdefault(r.method, []).append(r)

    def lookup(method: str, month: int) -> RateValue | None:
        best = None
        for r in by_method.get(method, ()):
            if r.valid_from_month <= month:
                best = r
        if best is None:
            return None
        return RateValue(
            best.rate_grosze, best.compost_discount_grosze, Decimal(best.non_sorting_multiplier)
        )

    return lookup
