"""`python -m water demo`: demo data for local runs (a household of payer P-000001, tariffs)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal_platform.logging import get_logger
from portal_platform.service import Runtime
from water.access import Scope
from water.config import Settings
from water.messaging.events import publish_decided
from water.premises import service as premises_service
from water.premises.models import Premises
from water.readings import intake
from water.readings import service as readings
from water.tariffs import service as tariffs
from water.tariffs.models import TariffPrice

log = get_logger(__name__)

DEMO_PAYER = "P-000001"
DEMO_NUMBER = "PP-000001"
CHANGE = date(2025, 7, 29)
# The prices of the golden example in domain.md: a tariff change on 29.07.2025.
PRICES = [
    ("water", "m3", "4,00", "4,20"),
    ("sewage", "m3", "10,00", "10,50"),
    ("abonament_water", "month", "5,00", "5,20"),
    ("abonament_sewage", "month", "3,00", "3,10"),
]


async def load_tariffs(rt: Runtime, groups: tuple[str, ...] = ("household", "seasonal")) -> int:
    """The demo price table (with a change on 29.07.2025) for groups that have none yet."""
    assert rt.db is not None
    added = 0
    async with rt.db.transaction() as session:
        for group in groups:
            if (
                await session.execute(
                    select(TariffPrice.id).where(TariffPrice.group_code == group).limit(1)
                )
            ).first():
                continue
            for component, unit, before, after in PRICES:
                for price, start in ((before, date(2025, 1, 1)), (after, CHANGE)):
                    await tariffs.add_price(
                        session,
                        group=group,
                        component=component,
                        unit=unit,
                        net_price=price,
                        valid_from=start,
                        valid_to=None,
                        by="demo",
                    )
                    added += 1
    return added


async def load_demo(rt: Runtime) -> str:
    """A household premises of P-000001 with a main meter and a garden sub-meter, one invoice."""
    assert rt.db is not None and rt.outbox is not None
    settings = rt.settings
    assert isinstance(settings, Settings)
    await load_tariffs(rt)
    staff = Scope("demo", None)
    async with rt.db.transaction() as session:
        existing = (
            await session.execute(select(Premises).where(Premises.number == DEMO_NUMBER))
        ).scalar_one_or_none()
        if existing is not None:
            return str(existing.id)
        p = await premises_service.create_premises(
            session,
            payer_id=DEMO_PAYER,
            number=DEMO_NUMBER,
            address="ul. Lubelska 12, 21-075 Ludwin",
            group="household",
            sewer=True,
        )
        main = await premises_service.install_meter(
            session,
            premises_id=p.id,
            kind="main",
            serial="WM-2025-0001",
            installed_on=date(2025, 5, 31),
            initial_raw="100",
            legalised_on=date(2021, 3, 1),
        )
        garden = await premises_service.install_meter(
            session,
            premises_id=p.id,
            kind="garden",
            serial="WG-2025-0002",
            installed_on=date(2025, 5, 31),
            initial_raw="0",
            legalised_on=date(2025, 5, 1),
        )
        await session.refresh(p, ["meters"])
        # The golden example: 90 m³ main, 12 m³ garden over 01.06–31.08.2025.
        result = await intake.submit(
            session,
            staff,
            premises_id=p.id,
            reading_date=date(2025, 8, 31),
            inputs=[readings.ValueInput(main.id, "190"), readings.ValueInput(garden.id, "12")],
            token="demo-2025-08-31",
            confirm=True,
            policy=settings.policy(),
        )
        await publish_decided(session, rt.outbox, result.decided, settings.policy())
        return p.id


async def demo_command(rt: Runtime, args: list[str]) -> int:
    if not rt.settings.is_local:
        log.error("demo data is for local runs only (PORTAL_ENV=local)")
        return 2
    premises_id = await load_demo(rt)
    log.info("demo data ready", payer=DEMO_PAYER, premises=DEMO_NUMBER, premises_id=premises_id)
    return 0
