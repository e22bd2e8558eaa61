"""Commands of `python -m waste`: `assess --year 2027 [--preview] [--no-publish]`, `demo`,
`send-credits`."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select

from portal_platform.logging import get_logger
from portal_platform.messaging.relay import Relay
from portal_platform.service import Runtime
from waste.assessment import service as assessment
from waste.rates.service import zl

log = get_logger(__name__)


async def drain_outbox(rt: Runtime, *, timeout_s: float = 600.0) -> int:
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


async def assess(rt: Runtime, args: list[str]) -> int:
    """Run (or preview) the annual assessment of a year from the command line."""
    from waste.app import water_source

    parser = argparse.ArgumentParser(prog="python -m waste assess")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--preview", action="store_true", help="only count, book nothing")
    parser.add_argument("--no-publish", action="store_true", help="leave events to the relay")
    ns = parser.parse_args(args)
    assert rt.db is not None and rt.outbox is not None
    batch = getattr(rt.settings, "assessment_batch", 1000)
    if ns.preview:
        summary = await assessment.preview(rt.db, ns.year, water_source(rt), batch=batch)
    else:
        summary = await assessment.run(
            rt.db, rt.outbox, ns.year, water_source(rt), actor="cli", batch=batch
        )
    log.info(
        "assessment preview" if ns.preview else "assessment done",
        year=summary.year,
        payers=summary.payers,
        declarations=summary.declarations,
        installments=summary.installments,
        total=zl(summary.total_grosze),
        already_assessed=summary.already_assessed,
        charges_requested=summary.charges_requested,
        problems=len(summary.problems),
    )
    for problem in summary.problems:
        log.warning("assessment problem", problem=problem)
    if not ns.preview and not ns.no_publish:
        sent = await drain_outbox(rt)
        log.info("charge requests published", events=sent)
    return 1 if summary.problems else 0


async def demo(rt: Runtime, args: list[str]) -> int:
    """Load the demo data (idempotent)."""
    from waste.demo import load_demo

    assert rt.db is not None and rt.outbox is not None
    created = await load_demo(rt.db, rt.outbox)
    log.info("demo data", created=created)
    await drain_outbox(rt)
    return 0


async def send_credits(rt: Runtime, args: list[str]) -> int:
    """Send decreases that earlier versions held as credits to billing (negative fee notices)."""
    from waste.assessment.recalc import send_held_credits

    assert rt.db is not None and rt.outbox is not None
    async with rt.db.transaction() as session:
        sent = await send_held_credits(session, rt.outbox)
    log.info("held credits sent", charges=sent)
    await drain_outbox(rt)
    return 0


COMMANDS: dict[str, Callable[[Runtime, list[str]], Awaitable[int]]] = {
    "assess": assess,
    "demo": demo,
    "send-credits": send_credits,
}
