"""The relay: every outbox row published once, also with two relays racing (PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from billing.app import definition as billing
from billing.db import outbox_table
from portal.billing.v1 import billing_pb2
from portal_platform.db import Database
from portal_platform.messaging.bus import Bus, StreamSpec
from portal_platform.messaging.outbox import Outbox
from portal_platform.messaging.relay import Relay

STREAM = StreamSpec(name="PORTAL_RELAYTEST", subjects=("portal.relaytest.>",))


async def fill(db: Database, n: int) -> None:
    outbox = Outbox(outbox_table, "relaytest")
    async with db.transaction() as s:
        await outbox.add_many(
            s,
            (
                ("portal.relaytest.thing.happened.v1", billing_pb2.ChargeBooked(charge_id=str(i)))
                for i in range(n)
            ),
        )


async def test_two_relays_publish_each_row_once(make_database, nats_url, on_postgres):
    if not on_postgres:
        pytest.skip("several relays need PostgreSQL (FOR UPDATE SKIP LOCKED); SQLite runs one")
    url = await make_database(billing)
    db = Database(url)
    bus = await Bus.connect(nats_url, name="relay-test")
    try:
        await fill(db, 3000)
        relays = [Relay(db, bus, outbox_table, (STREAM,), batch=100) for _ in range(2)]
        stop = asyncio.Event()
        tasks = [asyncio.create_task(r.run(stop)) for r in relays]
        for _ in range(200):
            async with db.sessions() as s:
                pending = (
                    await s.execute(
                        select(func.count())
                        .select_from(outbox_table)
                        .where(outbox_table.c.published_at.is_(None))
                    )
                ).scalar_one()
            if pending == 0:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.gather(*tasks)
        assert pending == 0
        assert relays[0].published > 0 and relays[1].published > 0, "both relays took part"
        assert relays[0].published + relays[1].published == 3000, "no row was published twice"
        info = await bus.js.stream_info(STREAM.name)
        assert info.state.messages == 3000
    finally:
        await bus.close()
        await db.dispose()


async def test_relay_single_pass(make_database, nats_url):
    db = Database(await make_database(billing))
    bus = await Bus.connect(nats_url, name="relay-test")
    try:
        await fill(db, 250)
        relay = Relay(db, bus, outbox_table, (STREAM,), batch=100)
        await relay.prepare()
        sent = [await relay.publish_batch() for _ in range(4)]
        assert sent == [100, 100, 50, 0]
        info = await bus.js.stream_info(STREAM.name)
        assert info.state.messages == 250
    finally:
        await bus.close()
        await db.dispose()
