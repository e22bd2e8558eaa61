"""Maxima and rates: set (a rate above the year's statutory maximum is refused) and looked up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import DomainError, InvalidArgument
from property_tax.assessment.rules import RateBasis
from property_tax.rates.catalog import CATEGORIES, Category
from property_tax.rates.models import Maximum, Rate


def zl(grosze: int) -> str:
    """Grosze as Polish złoty text, e.g. 12500 → '125,00 zł'."""
    sign = "-" if grosze < 0 else ""
    whole, gr = divmod(abs(grosze), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{gr:02d} zł"


def percent(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",") + "%"


def check_year(year: int) -> None:
    if not 2000 <= year <= 2200:
        raise InvalidArgument("Podaj rok podatkowy (np. 2027).", field="year")


def category_of(key: str, field: str = "category") -> Category:
    found = CATEGORIES.get(key)
    if found is None:
        raise InvalidArgument("Nieznany rodzaj przedmiotu opodatkowania.", field=field)
    return found


def parse_percent(text: str, field: str) -> Decimal:
    try:
        value = Decimal((text or "").strip().replace(",", ".").rstrip("%") or "0")
    except InvalidOperation:
        raise InvalidArgument("Podaj stawkę procentową, np. 2.", field=field) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.001")):
        raise InvalidArgument("Podaj stawkę procentową z dokładnością do 0,001.", field=field)
    return value


async def set_maximum(
    session: AsyncSession, *, year: int, category: str, max_grosze: int, max_percent: str,
    source: str, actor: str,
) -> Maximum:  # fmt: skip
    """Add or replace the statutory maximum of a category in a year."""
    check_year(year)
    cat = category_of(category)
    pct = parse_percent(max_percent, "max_percent") if cat.by_value else Decimal(0)
    grosze = 0 if cat.by_value else max_grosze
    if (pct if cat.by_value else grosze) <= 0:
        field = "max_percent" if cat.by_value else "max_grosze"
        raise InvalidArgument("Maksymalna stawka musi być dodatnia.", field=field)
    row = Maximum(
        year=year, category=category, max_grosze=grosze, max_percent=pct,
        source=source.strip()[:200], set_by=actor, set_at=datetime.now(UTC),
    )  # fmt: skip
    return await session.merge(row)


async def maxima_of(session: AsyncSession, year: int) -> dict[str, Maximum]:
    rows = await session.execute(select(Maximum).where(Maximum.year == year))
    return {m.category: m for m in rows.scalars()}


async def set_rate(
    session: AsyncSession, *, year: int, category: str, rate_grosze: int, rate_percent: str,
    resolution: str, actor: str,
) -> tuple[Rate, Maximum]:  # fmt: skip
    """Set the council's rate; refused when above the statutory maximum of that year."""
    check_year(year)
    cat = category_of(category)
    maximum = (await maxima_of(session, year)).get(category)
    if maximum is None:
        raise DomainError(
            f"Brak ustawowej maksymalnej stawki na {year} r. dla tej kategorii — "
            "wprowadź najpierw górne granice stawek z obwieszczenia Ministra Finansów.",
            code="rate.no_maximum",
            field="year",
        )
    if cat.by_value:
        pct = parse_percent(rate_percent, "rate_percent")
        if pct <= 0:
            raise InvalidArgument("Stawka musi być dodatnia.", field="rate_percent")
        if pct > maximum.max_percent:
            raise InvalidArgument(
                f"Stawka {percent(pct)} przekracza ustawową maksymalną stawkę "
                f"{percent(maximum.max_percent)} na {year} r.",
                field="rate_percent",
            )
        grosze = 0
    else:
        pct, grosze = Decimal(0), rate_grosze
        if grosze <= 0:
            raise InvalidArgument("Stawka musi być dodatnia.", field="rate_grosze")
        if grosze > maximum.max_grosze:
            raise InvalidArgument(
                f"Stawka {zl(grosze)} od {cat.unit} przekracza ustawową maksymalną stawkę "
                f"{zl(maximum.max_grosze)} na {year} r.",
                field="rate_grosze",
            )
    row = Rate(
        year=year, category=category, rate_grosze=grosze, rate_percent=pct,
        resolution=resolution.strip()[:200], set_by=actor, set_at=datetime.now(UTC),
    )  # fmt: skip
    return await session.merge(row), maximum


@dataclass(frozen=True)
class YearRates:
    """Every category of a year: the council's rate (if set) and the maximum (if known)."""

    year: int
    rates: dict[str, Rate]
    maxima: dict[str, Maximum]


async def year_rates(session: AsyncSession, year: int) -> YearRates:
    rows = await session.execute(select(Rate).where(Rate.year == year))
    return YearRates(year, {r.category: r for r in rows.scalars()}, await maxima_of(session, year))


async def rate_bases(
    session: AsyncSession, year: int, categories: Iterable[str]
) -> dict[str, RateBasis]:
    """The rates of `year` for the categories needed; a missing one is a clear error."""
    found = (await year_rates(session, year)).rates
    missing = sorted({c for c in categories if c not in found})
    if missing:
        names = ", ".join(CATEGORIES[c].label for c in missing)
        raise DomainError(
            f"Rada gminy nie ustaliła stawek na {year} r. dla: {names}.",
            code="rate.missing",
            field="year",
        )
    return {c: RateBasis(r.rate_grosze, Decimal(r.rate_percent)) for c, r in found.items()}
