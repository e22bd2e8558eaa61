"""Tariff prices in the database: listing, price tables for invoices, adding a dated price."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import Conflict, InvalidArgument
from water.premises.models import CustomerGroup
from water.tariffs.models import TariffPrice
from water.tariffs.prices import COMPONENT_LABELS, COMPONENTS, UNITS, Price, PriceTable

_PRICE = re.compile(r"^\d{1,7}([.,]\d{1,2})?$")


def parse_price(raw: str) -> int:
    """Net unit price in zł with at most 2 decimals (comma or dot) → grosze."""
    text = (raw or "").strip().replace(" ", "").replace("zł", "")
    if not text:
        raise InvalidArgument("Podaj cenę netto.", field="net_price")
    if text.startswith("-"):
        raise InvalidArgument("Cena netto nie może być ujemna.", field="net_price")
    if not _PRICE.match(text):
        raise InvalidArgument(
            "Cena netto to kwota w złotych z najwyżej dwoma miejscami po przecinku, np. 4,20.",
            field="net_price",
        )
    return int(Decimal(text.replace(",", ".")) * 100)


def to_price(row: TariffPrice) -> Price:
    return Price(row.component, row.unit, row.net_grosze, row.valid_from, row.valid_to)


_CACHE: dict[tuple[str, str], tuple[float, PriceTable]] = {}
CACHE_SECONDS = 5.0


async def cached_price_tables(
    session: AsyncSession, groups: Iterable[str]
) -> dict[str, PriceTable]:
    """Price tables for previews, reused for a few seconds (invoices always read afresh)."""
    db = str(session.get_bind().engine.url)
    now = time.monotonic()
    found, missing = {}, []
    for g in set(groups):
        hit = _CACHE.get((db, g))
        if hit is not None and hit[0] > now:
            found[g] = hit[1]
        else:
            missing.append(g)
    if missing:
        for g, table in (await price_tables(session, missing)).items():
            _CACHE[(db, g)] = (now + CACHE_SECONDS, table)
            found[g] = table
    return found


async def price_tables(session: AsyncSession, groups: Iterable[str]) -> dict[str, PriceTable]:
    """The dated price table of each group."""
    wanted = sorted(set(groups))
    rows = (
        await session.execute(select(TariffPrice).where(TariffPrice.group_code.in_(wanted)))
    ).scalars()
    by_group: dict[str, list[Price]] = {g: [] for g in wanted}
    for r in rows:
        by_group[r.group_code].append(to_price(r))
    return {g: PriceTable(p, g) for g, p in by_group.items()}


async def list_prices(session: AsyncSession, *, group: str = "") -> list[TariffPrice]:
    stmt = select(TariffPrice)
    if group:
        stmt = stmt.where(TariffPrice.group_code == group)
    stmt = stmt.order_by(TariffPrice.group_code, TariffPrice.component, TariffPrice.valid_from)
    return list((await session.execute(stmt)).scalars())


def _overlaps(row: TariffPrice, start: date, end: date | None) -> bool:
    row_end = row.valid_to or date.max
    return row.valid_from <= (end or date.max) and start <= row_end


async def add_price(
    session: AsyncSession,
    *,
    group: str,
    component: str,
    unit: str,
    net_price: str,
    valid_from: date | None,
    valid_to: date | None,
    by: str,
) -> tuple[TariffPrice, TariffPrice | None]:
    """Add a price; an open-ended earlier price is closed the day before (announced tariffs)."""
    if await session.get(CustomerGroup, group) is None:
        raise InvalidArgument("Wybierz grupę odbiorców.", field="group")
    if component not in COMPONENTS:
        raise InvalidArgument("Wybierz składnik taryfy.", field="component")
    if unit not in UNITS[component]:
        raise InvalidArgument(
            f"Jednostka ceny „{COMPONENT_LABELS[component]}” nie może być taka.", field="unit"
        )
    grosze = parse_price(net_price)
    if valid_from is None:
        raise InvalidArgument("Podaj datę, od której cena obowiązuje.", field="valid_from")
    if valid_to is not None and valid_to < valid_from:
        raise InvalidArgument(
            "Data końca obowiązywania jest wcześniejsza niż data początku.", field="valid_to"
        )
    existing = (
        await session.execute(
            select(TariffPrice)
            .where(TariffPrice.group_code == group, TariffPrice.component == component)
            .with_for_update()
        )
    ).scalars()
    closed = None
    for row in existing:
        if not _overlaps(row, valid_from, valid_to):
            continue
        if row.valid_to is None and row.valid_from < valid_from and closed is None:
            row.valid_to = valid_from - timedelta(days=1)
            closed = row
            continue
        raise Conflict(
            f"Cena nakłada się na cenę {row.net_grosze / 100:.2f} zł obowiązującą od "
            f"{row.valid_from:%d.%m.%Y}"
            + (f" do {row.valid_to:%d.%m.%Y}." if row.valid_to else " bezterminowo."),
            field="valid_from",
        )
    price = TariffPrice(
        group_code=group,
        component=component,
        unit=unit,
        net_grosze=grosze,
        valid_from=valid_from,
        valid_to=valid_to,
        created_at=datetime.now(UTC),
        created_by=by,
    )
    session.add(price)
    await session.flush()
    _CACHE.clear()
    return price, closed
