"""Demo data: rates, and payer P-000001 with 4 residents composting in a single-family house."""

from __future__ import annotations

from datetime import date

from portal_platform.db import Database
from portal_platform.messaging.outbox import Outbox
from waste.assessment import service as assessment
from waste.assessment.context import no_water
from waste.declarations import service as declarations
from waste.declarations.schemas import Filing, RawInput
from waste.properties import service as properties
from waste.properties.models import Property
from waste.rates import service as rates
from waste.rpc.servicers import today

DEMO_PAYER = "P-000001"
DEMO_PROPERTY = "N-000001"
COTTAGE_PAYER = "P-000002"
COTTAGE_PROPERTY = "N-000002"
# (method, rate, compost discount) in grosze, within the caps from 31.03.2025
RATES = (
    ("per_resident", 3700, 200),
    ("per_water_m3", 1250, 200),
    ("per_area_m2", 150, 200),
    ("per_household", 9800, 800),
    ("per_bin", 3500, 0),
    ("cottage", 21000, 0),
)


async def load_demo(db: Database, outbox: Outbox) -> bool:
    """Create the demo records unless they exist; return whether anything was created."""
    now = today()
    async with db.transaction() as s:
        if await s.get(Property, DEMO_PROPERTY) is not None:
            return False
        for year in (now.year, now.year + 1):
            for method, rate, compost in RATES:
                await rates.set_rate(
                    s, year=year, method=method, valid_from_month=1, rate_grosze=rate,
                    compost_discount_grosze=compost, non_sorting_multiplier="3", actor="demo",
                )  # fmt: skip
        await properties.register(
            s, property_id=DEMO_PROPERTY, payer_id=DEMO_PAYER,
            address="Ludwin 12, 21-075 Ludwin", kind="single_family",
        )  # fmt: skip
        await properties.register(
            s, property_id=COTTAGE_PROPERTY, payer_id=COTTAGE_PAYER,
            address="Rozpłucie Drugie 7, 21-075 Ludwin", kind="cottage",
        )  # fmt: skip
        await properties.register(
            s, property_id="N-000003", payer_id="P-000003",
            address="Zezulin Pierwszy 3, 21-075 Ludwin", kind="single_family",
        )  # fmt: skip
        start = date(now.year, 1, 1)
        for pid, payer, raw in (
            (DEMO_PROPERTY, DEMO_PAYER, RawInput("per_resident", residents="4", composting=True)),
            (COTTAGE_PROPERTY, COTTAGE_PAYER, RawInput("cottage")),
        ):
            filing = Filing(pid, payer, raw, start, start, "demo", by_staff=True, as_draft=False)
            await declarations.file(s, outbox, filing, no_water, today=now)
    await assessment.run(db, outbox, now.year, no_water, actor="demo")
    return True
