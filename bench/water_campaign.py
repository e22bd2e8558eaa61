"""Water reading campaign: N readings submitted, bulk-accepted, invoices booked in billing.

    uv run --no-sync python bench/water_campaign.py [--n 20000] [--concurrency 64] [--replicas 2]
        [--database-url postgresql://...] [--nats-url nats://...]

N household premises (one main meter each) and the golden-example tariffs (a price change
on 29.07.2025) are loaded into a scratch water database (not timed). `python -m water serve`
(gRPC, relay in process; --replicas of them, scaled out as on PostgreSQL, requests spread over
them) and `python -m billing consume` run as separate processes; access tokens are signed
here and verified by water against a JWKS served here.

Timed, end to end: residents submit N readings over gRPC (SubmitReading, each returns the
computed invoice preview), a clerk accepts them all (AcceptReadings: one transaction per
batch of 500, charges and ReadingDecided through the outbox with add_many), and the clock
stops when billing holds N water invoices. The preview latency is measured separately
(PreviewReading, one call at a time, as a resident typing in the form).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import psutil
import psycopg
from grpc import aio
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from portal.common.v1 import common_pb2
from portal.water.v1 import water_pb2, water_pb2_grpc
from portal_platform.db import Database
from portal_platform.logging import configure_logging
from portal_platform.messaging.bus import CHARGES_STREAM, Bus
from portal_platform.migrations import upgrade_async
from portal_platform.rpc.client import call_metadata
from portal_platform.testing.backends import EmbeddedNats, free_port, wait_port
from portal_platform.testing.keys import TestIssuer
from water.premises.models import Meter, Premises
from water.tariffs.models import TariffPrice

ROOT = Path(__file__).resolve().parents[1]
PER_TOKEN = 100  # payers in one resident token
GOLDEN = [
    ("water", "m3", 400, 420),
    ("sewage", "m3", 1000, 1050),
    ("abonament_water", "month", 500, 520),
    ("abonament_sewage", "month", 300, 310),
]
READING_DAY = date(2025, 8, 31)
TARGET_S, TARGET_P95_MS = 60.0, 20.0


def libpq_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def with_database(url: str, name: str) -> str:
    return libpq_url(make_url(url).set(database=name).render_as_string(hide_password=False))


async def admin(url: str, sql: str) -> None:
    async with await psycopg.AsyncConnection.connect(libpq_url(url), autocommit=True) as conn:
        await conn.execute(sql)  # type: ignore[arg-type]


def machine() -> str:
    model = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} cores ({model}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def cpu_s(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each process, and by this one."""
    out = {"bench client": sum(psutil.Process().cpu_times()[:2])}
    for name, pid in pids.items():
        try:
            out[name] = sum(psutil.Process(pid).cpu_times()[:2])
        except psutil.Error:
            out[name] = 0.0
    return out


def cpu_delta(a: dict[str, float], b: dict[str, float]) -> str:
    return ", ".join(f"{k} {b[k] - a[k]:.1f}" for k in a)


def payer(i: int) -> str:
    return f"P-{i:06d}"


async def seed(url: str, n: int) -> list[tuple[str, str, str]]:
    """Tariffs and N premises with a main meter; returns (payer, premises id, meter id)."""
    db = Database(url)
    now = datetime.now(UTC)
    rows = [(payer(i), str(uuid.uuid4()), str(uuid.uuid4())) for i in range(n)]
    try:
        async with db.transaction() as s:
            for component, unit, before, after in GOLDEN:
                await s.execute(insert(TariffPrice), [
                    {"group_code": "household", "component": component, "unit": unit,
                     "net_grosze": before, "valid_from": date(2025, 1, 1),
                     "valid_to": date(2025, 7, 28), "created_at": now, "created_by": "bench"},
                    {"group_code": "household", "component": component, "unit": unit,
                     "net_grosze": after, "valid_from": date(2025, 7, 29), "valid_to": None,
                     "created_at": now, "created_by": "bench"},
                ])  # fmt: skip
        for start in range(0, n, 5000):
            chunk = rows[start : start + 5000]
            async with db.transaction() as s:
                await s.execute(insert(Premises), [
                    {"id": pid, "number": f"PP-{start + k:06d}", "payer_id": p,
                     "address": f"ul. Wodna {start + k}, Ludwin", "group_code": "household",
                     "sewer": True, "created_at": now}
                    for k, (p, pid, _) in enumerate(chunk)
                ])  # fmt: skip
                await s.execute(insert(Meter), [
                    {"id": mid, "premises_id": pid, "kind": "main", "serial": f"WM-{p}",
                     "installed_on": date(2025, 5, 31), "initial_m3": 100, "removed_on": None,
                     "final_m3": None, "legalised_on": date(2024, 1, 1), "digits": 5,
                     "replaces_id": None, "created_at": now}
                    for p, pid, mid in chunk
                ])  # fmt: skip
    finally:
        await db.dispose()
    return rows


async def serve_jwks(issuer: TestIssuer) -> tuple[asyncio.base_events.Server, int]:
    """A tiny HTTP server answering every request with the issuer's JWKS."""
    body = json.dumps(issuer.jwks).encode()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\nConnection: close\r\n\r\n"
            + body
        )
        await writer.drain()
        writer.close()

    port = free_port()
    return await asyncio.start_server(handle, "127.0.0.1", port), port


async def count(db: Database, sql: str) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one() or 0)


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def value_for(i: int) -> str:
    return str(160 + i % 60)  # 60–119 m³ over 92 days: ordinary households


def d(x: date) -> common_pb2.Date:
    return common_pb2.Date(year=x.year, month=x.month, day=x.day)


async def preview_latency(
    stub: water_pb2_grpc.WaterServiceStub, rows, tokens, k: int
) -> list[float]:
    """PreviewReading one call at a time; milliseconds per call."""
    out = []
    for i in range(k):
        _p, pid, mid = rows[i]
        req = water_pb2.PreviewReadingRequest(
            premises_id=pid,
            reading_date=d(READING_DAY),
            values=[water_pb2.ReadingValueInput(meter_id=mid, value_m3=value_for(i))],
        )
        t = time.perf_counter()
        resp = await stub.PreviewReading(req, metadata=call_metadata(tokens[i // PER_TOKEN]))
        out.append((time.perf_counter() - t) * 1000)
        assert resp.preview.gross_grosze > 0
    return out


async def bench(database_url: str, nats_url: str, n: int, concurrency: int, replicas: int) -> None:
    run = uuid.uuid4().hex[:8]
    names = {"water": f"bench_water_{run}", "billing": f"bench_wbill_{run}"}
    urls = {k: with_database(database_url, v) for k, v in names.items()}
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url)) as conn:
        row = await (await conn.execute("SHOW server_version")).fetchone()
    print(f"machine: {machine()}")
    print(f"python {platform.python_version()}, PostgreSQL {row[0] if row else '?'}, "
          f"NATS {nats_url}")  # fmt: skip
    print(
        f"N = {n} readings (one main meter per premises, 01.06–31.08.2025 with a tariff "
        f"change on 29.07); {concurrency} submissions in flight; accept batches of 500; "
        f"{replicas} `water serve` process(es), each with its relay"
    )
    for name in names.values():
        await admin(database_url, f'CREATE DATABASE "{name}"')
    issuer = TestIssuer(issuer="http://bench-issuer")
    jwks_server, jwks_port = await serve_jwks(issuer)
    ports = [free_port() for _ in range(replicas)]
    env = {**os.environ, "PORTAL_ENV": "test", "NATS_URL": nats_url,
           "OIDC_ISSUER": issuer.issuer, "OIDC_JWKS_URL": f"http://127.0.0.1:{jwks_port}/jwks",
           "WATER_DATABASE_URL": urls["water"], "BILLING_DATABASE_URL": urls["billing"],
           "WATER_RUN_MIGRATIONS": "false",
           "WATER_LOG_LEVEL": "WARNING", "BILLING_LOG_LEVEL": "WARNING"}  # fmt: skip
    procs: list[asyncio.subprocess.Process] = []
    water_db = Database(urls["water"], pool_size=1)
    billing_db = Database(urls["billing"], pool_size=1)
    bus = await Bus.connect(nats_url, name="bench-watch")
    channels: list[aio.Channel] = []
    total_s = float("nan")
    try:
        await upgrade_async(ROOT / "services" / "water", urls["water"], "water")
        await upgrade_async(ROOT / "services" / "billing", urls["billing"], "billing")
        t = time.perf_counter()
        rows = await seed(urls["water"], n)
        tokens = [issuer.token(f"res-{k}", roles=["resident"], ttl=3600,
                               payers=[payer(i) for i in range(k * PER_TOKEN,
                                                               min((k + 1) * PER_TOKEN, n))])
                  for k in range((n + PER_TOKEN - 1) // PER_TOKEN)]  # fmt: skip
        clerk = issuer.token("clerk-bench", roles=["clerk"], ttl=3600)
        print(f"premises, meters and tokens ready in {time.perf_counter() - t:.1f} s (not timed)")
        procs.append(
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "billing", "consume", env=env
            )
        )
        for port in ports:
            procs.append(await asyncio.create_subprocess_exec(
                sys.executable, "-m", "water", "serve", env={**env, "WATER_GRPC_PORT": str(port)}
            ))  # fmt: skip
        for port in ports:
            await asyncio.to_thread(wait_port, "127.0.0.1", port, 60)
            channels.append(aio.insecure_channel(f"127.0.0.1:{port}"))
        stubs = [water_pb2_grpc.WaterServiceStub(c) for c in channels]
        stub = stubs[0]
        await preview_latency(stub, rows, tokens, 50)  # warm-up (JWKS, pools)
        lat = sorted(await preview_latency(stub, rows, tokens, min(1000, n)))
        p50, p95 = statistics.median(lat), lat[int(len(lat) * 0.95) - 1]
        print(
            f"preview latency (PreviewReading, sequential, {len(lat)} calls): "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {lat[-1]:.1f} ms"
        )

        ids: list[str] = [""] * n
        submit_lat: list[float] = []
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(n):
            queue.put_nowait(i)

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                _p, pid, mid = rows[i]
                req = water_pb2.SubmitReadingRequest(
                    premises_id=pid,
                    reading_date=d(READING_DAY),
                    idempotency_token=f"b-{i}",
                    values=[water_pb2.ReadingValueInput(meter_id=mid, value_m3=value_for(i))],
                )
                t1 = time.perf_counter()
                resp = await stubs[i % replicas].SubmitReading(
                    req, metadata=call_metadata(tokens[i // PER_TOKEN]), timeout=60
                )
                submit_lat.append((time.perf_counter() - t1) * 1000)
                ids[i] = resp.reading.reading_id

        pids = {"billing consume": procs[0].pid}
        pids |= {f"water serve {k + 1}": p.pid for k, p in enumerate(procs[1:])}
        cpu0 = cpu_s(pids)
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        t_submit = time.perf_counter() - t0
        submit_lat.sort()
        print(
            f"submitted {n} readings in {t_submit:.1f} s ({n / t_submit:.0f} readings/s; "
            f"SubmitReading with preview p50 {statistics.median(submit_lat):.1f} ms, "
            f"p95 {submit_lat[int(len(submit_lat) * 0.95) - 1]:.1f} ms under load)"
        )
        cpu1 = cpu_s(pids)
        print(f"  CPU s while submitting: {cpu_delta(cpu0, cpu1)}")
        t2 = time.perf_counter()
        chunks = [ids[start : start + 5000] for start in range(0, n, 5000)]

        async def accept(k: int) -> int:
            done = 0
            for chunk in chunks[k::replicas]:  # each replica accepts its share in parallel
                resp = await stubs[k].AcceptReadings(
                    water_pb2.AcceptReadingsRequest(reading_ids=chunk),
                    metadata=call_metadata(clerk),
                    timeout=600,
                )
                assert not resp.failures, resp.failures[:3]
                done += len(resp.accepted_ids)
            return done

        accepted = sum(await asyncio.gather(*(accept(k) for k in range(replicas))))
        t_accept = time.perf_counter() - t2
        print(
            f"accepted {accepted} readings in {t_accept:.1f} s ({accepted / t_accept:.0f}/s), "
            f"invoices and events queued in the outbox"
        )
        booked = 0
        while booked < n:
            for p in procs:
                if p.returncode is not None:
                    raise SystemExit(f"a service process exited with {p.returncode}")
            await asyncio.sleep(0.25)
            booked = await count(billing_db, "SELECT count(*) FROM charges WHERE module = 'water'")
        total_s = time.perf_counter() - t0
        cpu2 = cpu_s(pids)
        print(f"  CPU s from accepting to booked: {cpu_delta(cpu1, cpu2)}")
        used = sum(cpu2.values()) - sum(cpu0.values())
        print(
            f"the service processes and this client used {used:.1f} CPU s in {total_s:.1f} s "
            f"(PostgreSQL and NATS not counted); load average {load0:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end (other work on the machine counts there)"
        )
        gross = await count(
            billing_db, "SELECT sum(gross_grosze) FROM charges WHERE module = 'water'"
        )
        lines = await count(billing_db, "SELECT count(*) FROM charge_lines")
        settled = await count(water_db, "SELECT count(*) FROM settlements")
        print(
            f"billing booked {booked} invoices ({lines} lines, {gross / 100:,.2f} zł) "
            f"{total_s - t_submit - t_accept:.1f} s after the last acceptance; water holds "
            f"{settled} settlements"
        )
        print(f"end to end: {n} readings in {total_s:.1f} s = {n / total_s:.0f} readings/s")
        assert settled == n and booked == n
    finally:
        for c in channels:
            await c.close()
        for p in reversed(procs):
            await stop(p)
        jwks_server.close()
        await water_db.dispose()
        await billing_db.dispose()
        await bus.delete_streams(CHARGES_STREAM.name)
        await bus.delete_streams("PORTAL_WATER")
        await bus.close()
        for name in names.values():
            await admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(
        f"targets: campaign ≤ {TARGET_S:.0f} s {'met' if total_s <= TARGET_S else 'NOT met'}; "
        f"preview p95 ≤ {TARGET_P95_MS:.0f} ms {'met' if p95 <= TARGET_P95_MS else 'NOT met'}"
    )
    print(f"BENCH water_campaign_s {total_s:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--replicas", type=int, default=2, help="`water serve` processes")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--nats-url", default=os.environ.get("BENCH_NATS_URL", ""))
    ns = parser.parse_args()
    configure_logging("bench", json=False, level="WARNING")
    embedded = None if ns.nats_url else EmbeddedNats().start()
    try:
        nats = ns.nats_url or embedded.url  # type: ignore[union-attr]
        asyncio.run(bench(ns.database_url, nats, ns.n, ns.concurrency, ns.replicas))
    finally:
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    main()
