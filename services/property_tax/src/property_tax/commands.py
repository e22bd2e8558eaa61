"""Commands of `python -m property_tax`: `demo` loads demo data (idempotent)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date

from sqlalchemy import func, select

from portal_platform.logging import get_logger
from portal_platform.messaging.relay import Relay
from portal_platform.service import Runtime
from property_tax.assessment import service as assessment
from property_tax.assessment.service import Authority
from property_tax.clock import today
from property_tax.filings import service as filings
from property_tax.filings.schemas import FilingIn, ObjectIn
from property_tax.rates import service as rates
from property_tax.taxpayers import service as taxpayers
from property_tax.taxpayers.service import TaxpayerIn

log = get_logger(__name__)
DEMO_PAYER = "P-000001"
# the demo council's rates for 2026 (grosze per unit; structures: percent), under the maxima
DEMO_RATES = {
    "land_business": 120, "land_water": 600, "land_other": 45, "land_revitalisation": 300,
    "building_residential": 95, "building_business": 2500, "building_seed": 1200,
    "building_health": 600, "building_other": 700, "structure": 2,
}  # fmt: skip


async def drain_outbox(rt: Runtime, *, timeout_s: float = 60.0) -> int:
    """Publish every pending outbox row from this process; return how many were sent."""
    assert rt.db and rt.bus and rt.definition.outbox_table is not None
    relay = Relay(rt.db, rt.bus, rt.definition.outbox_table, rt.definition.streams)
    await relay.prepare()
    table = rt.definition.outbox_table
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if not await relay.publish_batch():
            async with rt.db.sessions() as s:
                pending = (
                    await s.execute(
                        select(func.count())
                        .select_from(table)
                        .where(table.c.published_at.is_(None))
                    )
                ).scalar_one()
            if not pending:
                break
            await asyncio.sleep(0.2)
    return relay.published


async def demo(rt: Runtime, args: list[str]) -> int:
    """Rates of 2026, payer P-000001 with a house on 800 m², and the 2026 decision."""
    assert rt.db is not None and rt.outbox is not None
    year = 2026
    async with rt.db.transaction() as s:
        if await taxpayers.find(s, DEMO_PAYER) is not None:
            log.info("demo data", created=False)
            return 0
        for category, value in DEMO_RATES.items():
            await rates.set_rate(
                s, year=year, category=category, rate_grosze=0 if category == "structure" else value,
                rate_percent=str(value) if category == "structure" else "", resolution="demo",
                actor="demo",
            )  # fmt: skip
        await filings.file(
            s,
            FilingIn(
                payer_id=DEMO_PAYER, form="IN-1", event_date=date(2015, 5, 4),
                objects=(
                    ObjectIn("building_residential", "Ludwin 12, dz. 123/4", area="120"),
                    ObjectIn("land_other", "Ludwin 12, dz. 123/4", area="800"),
                ),
                actor="demo", by_staff=True, as_draft=False, filed_on=date(2015, 5, 10),
                taxpayer=TaxpayerIn(DEMO_PAYER, "person", "Jan Kowalski", "Ludwin 12, 21-075 Ludwin"),
            ),
        )  # fmt: skip
        await assessment.issue_decision(
            s, rt.outbox, DEMO_PAYER, year, issued_on=min(today(), date(year, 2, 10)),
            actor="demo", authority=Authority(),
        )  # fmt: skip
    log.info("demo data", created=True, published=await drain_outbox(rt))
    return 0


COMMANDS: dict[str, Callable[[Runtime, list[str]], Awaitable[int]]] = {"demo": demo}
