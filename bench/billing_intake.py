"""Billing's charges intake into ledgers, with invoice numbers, on PostgreSQL.

    uv run --no-sync python bench/billing_intake.py [--n 200000] [--batch 500]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

N ChargeRequested events (serialized protobuf, half water invoices with two lines, half waste
installments; 4 charges per payer) go through billing's real intake path as its consumer runs
it: per fetched batch one transaction with the inbox check, decoding, payer creation with
virtual accounts, booking, gap-free numbering (counter rows locked FOR UPDATE), amounts due,
credit check, outbox rows (ChargeBooked + DocumentIssued) and inbox rows. The NATS fetch/ack
is not measured here (bench/bus_throughput.py measures the bus). A scratch database is created
and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import time
import uuid

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from billing.app import SERVICE_DIR
from billing.context import Context
from billing.db import inbox_table, outbox_table
from billing.messaging.consumers import CHARGES_SUBJECT, charges_subscription
from billing.modules import ModuleConfig
from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2
from portal_platform.db import Database
from portal_platform.messaging.bus import Message
from portal_platform.messaging.inbox import Consumer, decode
from portal_platform.messaging.outbox import Outbox, stamp
from portal_platform.migrations import upgrade_async


def libpq(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def event(i: int) -> tuple[str, bytes, str]:
    water = i % 2 == 0
    module = "water" if water else "waste"
    payer = f"P-{i // 4:07d}"
    lines = [
        billing_pb2.ChargeLine(
            description="Woda",
            quantity="12.5",
            unit="m3",
            unit_net_grosze=489,
            net_grosze=6113,
            vat_rate="8",
            vat_grosze=489,
            gross_grosze=6602,
        )
    ]
    if water:
        lines.append(
            billing_pb2.ChargeLine(
                description="Abonament",
                quantity="3",
                unit="mies.",
                unit_net_grosze=300,
                net_grosze=900,
                vat_rate="8",
                vat_grosze=72,
                gross_grosze=972,
            )
        )
    ev = billing_pb2.ChargeRequested(
        payer_id=payer,
        module=module,
        idempotency_key=f"bench-{i}",
        document_kind=billing_pb2.DOCUMENT_KIND_INVOICE
        if water
        else billing_pb2.DOCUMENT_KIND_INSTALLMENT,
        title="Woda i ścieki" if water else "Opłata za odpady — rata",
        lines=lines,
        due_dates=[common_pb2.Date(year=2027, month=3, day=15)],
        payer=billing_pb2.PayerDetails(name=f"Mieszkaniec {i // 4}", address=f"Ludwin {i // 4}"),
    )
    event_id = stamp(ev, module)
    return f"portal.charges.{module}.requested.v1", ev.SerializeToString(), event_id


class Raw:
    async def ack(self) -> None: ...


async def run(url: str, n: int, batch: int) -> None:
    name = f"bench_billing_intake_{uuid.uuid4().hex[:8]}"
    async with await psycopg.AsyncConnection.connect(libpq(url), autocommit=True) as conn:
        await conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    db_url = make_url(libpq(url)).set(database=name).render_as_string(hide_password=False)
    try:
        await upgrade_async(SERVICE_DIR, db_url, "billing")
        db = Database(db_url)
        ctx = Context(modules=ModuleConfig.parse("water=civil,waste=tax", "water=W,waste=O"))
        sub = charges_subscription(Outbox(outbox_table, "billing"), ctx)
        consumer = Consumer(db, None, inbox_table, sub)  # type: ignore[arg-type]
        msgs = [
            Message(s, d, {"Nats-Msg-Id": mid}, Raw()) for s, d, mid in (event(i) for i in range(n))
        ]
        assert sub.subjects == (CHARGES_SUBJECT,)
        start, cpu = time.perf_counter(), time.process_time()
        marks = []
        for k in range(0, n, batch):
            envs = [decode(sub, m) for m in msgs[k : k + batch]]
            async with db.transaction() as session:
                await consumer._apply(session, envs)
            marks.append(time.perf_counter())
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        async with db.engine.connect() as c:
            charges = (await c.execute(text("select count(*) from charges"))).scalar_one()
            docs = (
                await c.execute(text("select count(*) from documents where number is not null"))
            ).scalar_one()
            payers = (await c.execute(text("select count(*) from payers"))).scalar_one()
            series = (
                await c.execute(
                    text(
                        "select series, last_number from counters where series <> 'payer' order by 1"
                    )
                )
            ).all()
            gaps = (
                await c.execute(
                    text(
                        "select count(*) from (select split_part(number, '/', 5)::int n, "
                        "row_number() over (partition by left(number, length(number)-7) order by number) r "
                        "from documents) x where n <> r"
                    )
                )
            ).scalar_one()
        await db.dispose()
        assert charges == n and docs == n and gaps == 0, (charges, docs, gaps)
        print(
            f"machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"
        )
        print(f"backend: PostgreSQL ({make_url(url).host}), scratch database {name}")
        print(
            f"N={n} charges, batch={batch}, payers={payers}, series={series}, numbering gaps={gaps}"
        )
        load = os.getloadavg()[0]
        tenth = max(len(marks) // 10, 1)
        first = (marks[tenth - 1] - start) / (tenth * batch) * 1000
        last = (marks[-1] - marks[-tenth - 1]) / (tenth * batch) * 1000
        print(f"ms per charge: first tenth {first:.2f}, last tenth {last:.2f}")
        print(f"elapsed {elapsed:.1f} s, intake process CPU {cpu:.1f} s, load average {load:.1f}")
        print(f"BENCH billing_charges_per_s {n / elapsed:.0f} charges/s")
    finally:
        async with await psycopg.AsyncConnection.connect(libpq(url), autocommit=True) as conn:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=200_000)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    ns = p.parse_args()
    asyncio.run(run(ns.database_url, ns.n, ns.batch))


if __name__ == "__main__":
    main()
