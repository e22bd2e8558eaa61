"""Bus throughput: outbox → relay → JetStream → billing's charges intake → inbox, on PostgreSQL.

    uv run --no-sync python bench/bus_throughput.py [--n 100000]
        [--database-url postgresql://...] [--nats-url nats://...]

A dummy producer queues N ChargeRequested events in its own outbox (a scratch database);
its relay (the platform's Relay) and `python -m billing consume` run as two separate
processes, as when scaled out on PostgreSQL. The effect of each event is billing's: one
charge, one charge line, one ChargeBooked in billing's outbox and one inbox row, in one
transaction per fetched batch. The clock runs from the relay's start to the N-th inbox row.

In the same run the raw ceiling is measured: plain JetStream publish + pull-consume of N
messages (one process, no database) and plain batched inserts of N rows (psycopg
executemany, 1 000 rows a transaction). The ratio is end-to-end / min(both ceilings).
Scratch databases and streams are dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import psutil
import psycopg
from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url

from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2
from portal_platform.db import Database, new_metadata
from portal_platform.logging import configure_logging
from portal_platform.messaging.bus import CHARGES_STREAM, Bus, StreamSpec
from portal_platform.messaging.outbox import Outbox
from portal_platform.messaging.relay import Relay
from portal_platform.messaging.schema import messaging_tables
from portal_platform.migrations import upgrade_async
from portal_platform.testing.backends import free_port

ROOT = Path(__file__).resolve().parents[1]
BILLING_DIR = ROOT / "services" / "billing"
MODULE = "bench"
SUBJECT = f"portal.charges.{MODULE}.requested.v1"
DURABLE = "billing__charges"
RAW_STREAM = StreamSpec(name="BENCH_RAW", subjects=("bench.raw.>",))
READY = "relay ready"

producer_metadata: MetaData = new_metadata()
producer_outbox, _producer_inbox = messaging_tables(producer_metadata)


def charge_requested(i: int) -> billing_pb2.ChargeRequested:
    gross = 1000 + i % 50_000
    net = round(gross / 1.23)
    return billing_pb2.ChargeRequested(
        payer_id=f"P-{i % 5000:05d}",
        module=MODULE,
        idempotency_key=f"bench-{i:08d}",
        document_kind=billing_pb2.DOCUMENT_KIND_FEE_NOTICE,
        title=f"Opłata za gospodarowanie odpadami, rata {i % 12 + 1}",
        lines=[
            billing_pb2.ChargeLine(
                description="Opłata za gospodarowanie odpadami komunalnymi",
                quantity="1",
                unit="mies.",
                unit_net_grosze=net,
                net_grosze=net,
                vat_rate="23",
                vat_grosze=gross - net,
                gross_grosze=gross,
            )
        ],
        due_dates=[common_pb2.Date(year=2027, month=3, day=15)],
    )


def libpq_url(url: str) -> str:
    """A plain postgresql:// URL (psycopg and the env of the services accept it)."""
    return "postgresql://" + url.split("://", 1)[1]


def with_database(url: str, name: str) -> str:
    return libpq_url(make_url(url).set(database=name).render_as_string(hide_password=False))


async def admin(url: str, sql: str) -> None:
    async with await psycopg.AsyncConnection.connect(libpq_url(url), autocommit=True) as conn:
        await conn.execute(sql)  # type: ignore[arg-type]


async def timed(label: str, n: int, work: Callable[[], Awaitable[None]]) -> float:
    t0 = time.perf_counter()
    await work()
    rate = n / (time.perf_counter() - t0)
    print(f"{label}: {rate:,.0f} /s ({n} in {n / rate:.2f} s)")
    return rate


# --- ceilings ---------------------------------------------------------------------------


async def jetstream_ceiling(nats_url: str, n: int, payload: bytes) -> float:
    """Plain nats-py: publish N (1 000 in flight, Nats-Msg-Id set) while a pull consumer acks."""
    bus = await Bus.connect(nats_url, name="bench-raw")
    js = bus.js
    try:
        await bus.ensure_stream(RAW_STREAM)
        sub = await js.pull_subscribe("bench.raw.>", durable="bench_raw", stream=RAW_STREAM.name)

        async def produce() -> None:
            for start in range(0, n, 1000):
                await asyncio.gather(
                    *(
                        js.publish(f"bench.raw.{i % 10}", payload, headers={"Nats-Msg-Id": f"r{i}"})
                        for i in range(start, min(start + 1000, n))
                    )
                )

        async def consume() -> None:
            got = 0
            while got < n:
                try:
                    msgs = await sub.fetch(1000, timeout=1.0)
                except TimeoutError:
                    continue
                for m in msgs:
                    await m.ack()
                got += len(msgs)
            await bus.nc.flush()

        async def both() -> None:
            await asyncio.gather(produce(), consume())

        return await timed("ceiling jetstream publish+consume", n, both)
    finally:
        await js.delete_stream(RAW_STREAM.name)
        await bus.close()


async def insert_ceiling(url: str, n: int, payload: bytes) -> float:
    """Plain psycopg executemany of N rows into a table shaped like an outbox, 1 000 per commit."""
    async with await psycopg.AsyncConnection.connect(url) as conn:
        await conn.execute(
            "CREATE TABLE bench_rows (id bigserial PRIMARY KEY, event_id varchar(36) NOT NULL,"
            " subject varchar(255) NOT NULL, payload bytea NOT NULL, created_at timestamptz NOT NULL)"
        )
        await conn.commit()

        async def work() -> None:
            now = datetime.now(UTC)
            for start in range(0, n, 1000):
                rows = [(str(uuid.uuid4()), SUBJECT, payload, now) for _ in range(start, min(start + 1000, n))]
                async with conn.cursor() as cur:
                    await cur.executemany(
                        "INSERT INTO bench_rows (event_id, subject, payload, created_at)"
                        " VALUES (%s, %s, %s, %s)",
                        rows,
                    )
                await conn.commit()

        rate = await timed("ceiling batched inserts", n, work)
        await conn.execute("DROP TABLE bench_rows")
        await conn.commit()
        return rate


# --- the bus, end to end -----------------------------------------------------------------


async def fill_outbox(url: str, n: int) -> None:
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(producer_metadata.create_all)
        outbox = Outbox(producer_outbox, MODULE)
        for start in range(0, n, 5000):
            async with db.transaction() as session:
                items = [(SUBJECT, charge_requested(i)) for i in range(start, min(start + 5000, n))]
                await outbox.add_many(session, items)
    finally:
        await db.dispose()


async def run_relay(url: str, nats_url: str) -> None:
    """Child process: the platform relay over the producer outbox (defaults) until SIGTERM."""
    db = Database(url)
    bus = await Bus.connect(nats_url, name=f"{MODULE}-relay")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    relay = Relay(db, bus, producer_outbox, (CHARGES_STREAM,))
    try:
        await relay.prepare()
        print(READY, flush=True)
        await relay.run(stop)
    finally:
        await bus.close()
        await db.dispose()


async def stop_process(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def wait_consumer(bus: Bus, consumer: asyncio.subprocess.Process) -> None:
    for _ in range(300):
        if consumer.returncode is not None:
            raise SystemExit(f"billing consume exited with {consumer.returncode}")
        try:
            await bus.js.consumer_info(CHARGES_STREAM.name, DURABLE)
            return
        except Exception:
            await asyncio.sleep(0.1)
    raise SystemExit("billing consume did not create its durable consumer in 30 s")


async def end_to_end(producer_url: str, billing_url: str, nats_url: str, n: int, env: dict[str, str]) -> float:
    """Time from the relay's start to the N-th inbox row in billing."""
    t0 = time.perf_counter()
    await fill_outbox(producer_url, n)
    print(f"producer outbox filled: {n} events in {time.perf_counter() - t0:.1f} s (not timed)")
    bus = await Bus.connect(nats_url, name="bench-watch")
    billing_db = Database(billing_url, pool_size=1)
    consumer = await asyncio.create_subprocess_exec(sys.executable, "-m", "billing", "consume", env=env)
    relay: asyncio.subprocess.Process | None = None
    try:
        await wait_consumer(bus, consumer)
        relay = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--role", "relay", "--database-url", producer_url,
            "--nats-url", nats_url, stdout=asyncio.subprocess.PIPE, env=env,
        )
        assert relay.stdout is not None
        line = await asyncio.wait_for(relay.stdout.readline(), 60)
        if line.decode().strip() != READY:
            raise SystemExit(f"relay did not start: {line!r}")
        t0 = time.perf_counter()
        done = 0
        while done < n:
            await asyncio.sleep(0.1)
            for name, proc in (("relay", relay), ("billing consume", consumer)):
                if proc.returncode is not None:
                    raise SystemExit(f"{name} exited with {proc.returncode}")
            async with billing_db.engine.connect() as conn:
                done = int((await conn.execute(text("SELECT count(*) FROM inbox"))).scalar_one())
        elapsed = time.perf_counter() - t0
        async with billing_db.engine.connect() as conn:
            charges = (await conn.execute(text("SELECT count(*) FROM charges"))).scalar_one()
        if charges != n:
            raise SystemExit(f"expected {n} charges, found {charges}")
        rate = n / elapsed
        print(f"bus end to end (outbox→relay→JetStream→billing intake→inbox): {rate:,.0f} events/s "
              f"({n} in {elapsed:.2f} s)")
        return rate
    finally:
        if relay is not None:
            await stop_process(relay)
        await stop_process(consumer)
        await billing_db.dispose()
        await bus.close()


async def idle_rss_billing(billing_url: str, env: dict[str, str]) -> float:
    """RSS in MB of `python -m billing serve` 3 s after start (its relay and consumer idle)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "billing", "serve",
        env={**env, "BILLING_GRPC_PORT": str(free_port()), "BILLING_HTTP_PORT": str(free_port())},
    )
    try:
        await asyncio.sleep(3.0)
        if proc.returncode is not None:
            raise SystemExit(f"billing serve exited with {proc.returncode}")
        return float(psutil.Process(proc.pid).memory_info().rss) / 2**20
    finally:
        await stop_process(proc)


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} cores ({model}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


async def bench(database_url: str, nats_url: str, n: int) -> None:
    run = uuid.uuid4().hex[:8]
    producer_db, billing_db = f"bench_bus_{run}_producer", f"bench_bus_{run}_billing"
    producer_url, billing_url = with_database(database_url, producer_db), with_database(database_url, billing_db)
    probe = await Bus.connect(nats_url, name="bench-probe")
    await probe.delete_streams(CHARGES_STREAM.name)
    nats_version = probe.nc.connected_server_version
    await probe.close()
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url)) as conn:
        pg_version = (await (await conn.execute("SHOW server_version")).fetchone() or ["?"])[0]
    payload = charge_requested(0).SerializeToString()
    print(f"machine: {machine()}")
    print(f"python {platform.python_version()}, PostgreSQL {pg_version}, NATS server {nats_version}")
    print(f"N = {n}, payload {len(payload)} bytes; relay batch = platform default, consumer batch = billing's")

    await admin(database_url, f'CREATE DATABASE "{producer_db}"')
    await admin(database_url, f'CREATE DATABASE "{billing_db}"')
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "NATS_URL": nats_url,
        "BILLING_DATABASE_URL": billing_url,
        "BILLING_LOG_LEVEL": "WARNING",
    }
    try:
        await upgrade_async(BILLING_DIR, billing_url, "billing")
        js_rate = await jetstream_ceiling(nats_url, n, payload)
        insert_rate = await insert_ceiling(producer_url, n, payload)
        bus_rate = await end_to_end(producer_url, billing_url, nats_url, n, env)
        rss = await idle_rss_billing(billing_url, env)
        print(f"idle RSS billing: {rss:.0f} MB")
    finally:
        cleanup = await Bus.connect(nats_url, name="bench-cleanup")
        await cleanup.delete_streams(CHARGES_STREAM.name)
        await cleanup.close()
        for name in (producer_db, billing_db):
            await admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ceiling = min(js_rate, insert_rate)
    print(f"BENCH bus_ratio_to_ceiling {bus_rate / ceiling:.2f} x")
    print(f"BENCH bus_events_per_s {bus_rate:.0f} events/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--nats-url", default=os.environ.get("BENCH_NATS_URL", "nats://127.0.0.1:4222"))
    parser.add_argument("--role", choices=["bench", "relay"], default="bench", help=argparse.SUPPRESS)
    ns = parser.parse_args()
    configure_logging("bench", json=False, level="WARNING")
    if ns.role == "relay":
        asyncio.run(run_relay(ns.database_url, ns.nats_url))
    else:
        asyncio.run(bench(ns.database_url, ns.nats_url, ns.n))


if __name__ == "__main__":
    main()
