"""A dummy module for reliability tests: its own outbox, ChargeRequested events, a relay.

It exists only under tests/ and is run as a separate OS process (a script, so that the
test can SIGKILL it):

    python tests/reliability/dummy_producer.py fill  --database-url URL --n 10000
    python tests/reliability/dummy_producer.py relay --database-url URL --nats-url URL

`fill` creates the schema (no Alembic: `create_all`) and queues N events in one
transaction; `relay` runs the platform's Relay over that outbox until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2
from portal_platform.db import Database, new_metadata
from portal_platform.logging import configure_logging
from portal_platform.messaging.bus import CHARGES_STREAM, Bus
from portal_platform.messaging.outbox import Outbox
from portal_platform.messaging.relay import Relay
from portal_platform.messaging.schema import messaging_tables

MODULE = "dummy"
SUBJECT = f"portal.charges.{MODULE}.requested.v1"
PAYERS = 100

metadata: MetaData = new_metadata()
outbox_table, inbox_table = messaging_tables(metadata)


def idempotency_key(i: int) -> str:
    return f"dummy-{i:06d}"


def charge_requested(i: int) -> billing_pb2.ChargeRequested:
    """The i-th charge of the dummy module: one line, 23 % VAT."""
    gross = 1000 + i
    net = round(gross / 1.23)
    return billing_pb2.ChargeRequested(
        payer_id=f"P-{i % PAYERS:04d}",
        module=MODULE,
        idempotency_key=idempotency_key(i),
        document_kind=billing_pb2.DOCUMENT_KIND_FEE_NOTICE,
        title=f"Opłata testowa nr {i}",
        lines=[
            billing_pb2.ChargeLine(
                description="Usługa testowa",
                quantity="1",
                unit="szt.",
                unit_net_grosze=net,
                net_grosze=net,
                vat_rate="23",
                vat_grosze=gross - net,
                gross_grosze=gross,
            )
        ],
        due_dates=[common_pb2.Date(year=2027, month=3, day=15)],
    )


async def create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


async def fill(database_url: str, n: int, *, chunk: int = 2000) -> None:
    """Create the schema and queue `n` ChargeRequested events in one transaction."""
    db = Database(database_url)
    try:
        await create_schema(db.engine)
        outbox = Outbox(outbox_table, MODULE)
        async with db.transaction() as session:
            for start in range(0, n, chunk):
                items = [
                    (SUBJECT, charge_requested(i)) for i in range(start, min(start + chunk, n))
                ]
                await outbox.add_many(session, items)
    finally:
        await db.dispose()


async def relay(database_url: str, nats_url: str, batch: int) -> None:
    """Run the platform relay over the dummy outbox until SIGTERM/SIGINT."""
    db = Database(database_url)
    bus = await Bus.connect(nats_url, name=f"{MODULE}-relay")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await Relay(db, bus, outbox_table, (CHARGES_STREAM,), batch=batch).run(stop)
    finally:
        await bus.close()
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["fill", "relay"])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--nats-url", default="")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=250)
    ns = parser.parse_args()
    configure_logging(f"{MODULE}-producer", json=False, level="WARNING")
    if ns.command == "fill":
        asyncio.run(fill(ns.database_url, ns.n))
    else:
        asyncio.run(relay(ns.database_url, ns.nats_url, ns.batch))


if __name__ == "__main__":
    main()
