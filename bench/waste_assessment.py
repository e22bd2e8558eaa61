"""Annual waste assessment: N declarations → 4·N installments booked in billing, on PostgreSQL.

    uv run --no-sync python bench/waste_assessment.py [--n 100000] [--batch 1000]
        [--database-url postgresql://...] [--nats-url nats://...]

N single-family declarations (4 residents, composting, 37.00 − 2.00 zł) are loaded into a
scratch waste database (not timed). The clock starts when the assessment of 2027 starts in
this process (`waste.assessment.service.run`, one transaction per batch of declarations:
installments, their charge rows and the outbox events). `python -m waste relay` and
`python -m billing consume` run as separate processes, as when scaled out. The clock stops
when billing holds 4·N charges. A second run of the assessment must request nothing.
Scratch databases and streams are dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import psutil
import psycopg
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from portal_platform.db import Database
from portal_platform.logging import configure_logging
from portal_platform.messaging.bus import CHARGES_STREAM, Bus
from portal_platform.messaging.outbox import Outbox
from portal_platform.migrations import upgrade_async
from portal_platform.testing.backends import EmbeddedNats
from waste.assessment import service as assessment
from waste.assessment.context import no_water
from waste.db import outbox_table
from waste.declarations.models import Declaration, DeclarationVersion
from waste.properties.models import Property
from waste.rates.models import Rate

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2027
CHUNK = 10_000


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


async def seed(url: str, n: int) -> None:
    """N properties, declarations and confirmed versions, and the 2027 rate."""
    db = Database(url)
    now = datetime.now(UTC)
    try:
        async with db.transaction() as s:
            await s.execute(
                insert(Rate),
                [{"year": YEAR, "method": "per_resident", "valid_from_month": 1, "rate_grosze": 3700,
                  "compost_discount_grosze": 200, "non_sorting_multiplier": Decimal(2),
                  "set_by": "bench", "set_at": now}],
            )  # fmt: skip
        for start in range(0, n, CHUNK):
            idx = range(start, min(start + CHUNK, n))
            async with db.transaction() as s:
                await s.execute(
                    insert(Property),
                    [{"id": f"N-{i:07d}", "payer_id": f"P-{i:07d}", "address": f"Ludwin {i}",
                      "kind": "single_family", "created_at": now} for i in idx],
                )  # fmt: skip
                await s.execute(
                    insert(Declaration),
                    [{"id": f"D-{i:07d}", "property_id": f"N-{i:07d}", "payer_id": f"P-{i:07d}",
                      "created_at": now} for i in idx],
                )  # fmt: skip
                await s.execute(
                    insert(DeclarationVersion),
                    [{"id": str(uuid.uuid4()), "declaration_id": f"D-{i:07d}", "number": 1,
                      "status": "confirmed", "source": "clerk", "method": "per_resident",
                      "residents": 4, "area_m2": Decimal(0), "households": 0, "bins": 0,
                      "collections_per_month": 0, "water_m3_month": None, "water_premises_id": "",
                      "composting": True, "not_sorting": False, "change_date": date(2026, 1, 1),
                      "applies_from": date(2026, 1, 1), "filed_on": date(2026, 1, 5), "late": False,
                      "reason": "", "filed_by": "bench", "decided_by": "bench", "decided_at": now,
                      "rejection_reason": "", "created_at": now} for i in idx],
                )  # fmt: skip
    finally:
        await db.dispose()


async def count(db: Database, sql: str) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def wait_durable(bus: Bus, durable: str, proc: asyncio.subprocess.Process) -> None:
    for _ in range(600):
        if proc.returncode is not None:
            raise SystemExit(f"billing consume exited with {proc.returncode}")
        try:
            await bus.js.consumer_info(CHARGES_STREAM.name, durable)
            return
        except Exception:
            await asyncio.sleep(0.1)
    raise SystemExit("billing's durable consumer was not created in 60 s")


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def bench(database_url: str, nats_url: str, n: int, batch: int) -> None:
    run = uuid.uuid4().hex[:8]
    names = {"waste": f"bench_waste_{run}", "billing": f"bench_wbilling_{run}"}
    urls = {k: with_database(database_url, v) for k, v in names.items()}
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url)) as conn:
        row = await (await conn.execute("SHOW server_version")).fetchone()
    print(f"machine: {machine()}")
    print(
        f"python {platform.python_version()}, PostgreSQL {row[0] if row else '?'}, NATS {nats_url}"
    )
    print(f"N = {n} declarations (4 residents, composting) → {4 * n} installments of 420,00 zł; "
          f"batch {batch} declarations per transaction")  # fmt: skip
    for name in names.values():
        await admin(database_url, f'CREATE DATABASE "{name}"')
    env = {**os.environ, "PORTAL_ENV": "test", "NATS_URL": nats_url,
           "WASTE_DATABASE_URL": urls["waste"], "BILLING_DATABASE_URL": urls["billing"],
           "WASTE_LOG_LEVEL": "WARNING", "BILLING_LOG_LEVEL": "WARNING"}  # fmt: skip
    procs: list[asyncio.subprocess.Process] = []
    waste_db = Database(urls["waste"])
    billing_db = Database(urls["billing"], pool_size=1)
    bus = await Bus.connect(nats_url, name="bench-watch")
    try:
        await upgrade_async(ROOT / "services" / "waste", urls["waste"], "waste")
        await upgrade_async(ROOT / "services" / "billing", urls["billing"], "billing")
        t = time.perf_counter()
        await seed(urls["waste"], n)
        print(f"declarations loaded in {time.perf_counter() - t:.1f} s (not timed)")
        consumer = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "billing", "consume", env=env
        )
        procs.append(consumer)
        await wait_durable(bus, "billing__charges", consumer)
        procs.append(
            await asyncio.create_subprocess_exec(sys.executable, "-m", "waste", "relay", env=env)
        )
        outbox = Outbox(outbox_table, "waste")
        t0 = time.perf_counter()
        summary = await assessment.run(waste_db, outbox, YEAR, no_water, actor="bench", batch=batch)
        t_assess = time.perf_counter() - t0
        print(f"assessment: {summary.installments} installments, {summary.charges_requested} "
              f"charge requests queued in {t_assess:.1f} s")  # fmt: skip
        booked, relayed_s = 0, 0.0
        while booked < 4 * n:
            for p in procs:
                if p.returncode is not None:
                    raise SystemExit(f"a service process exited with {p.returncode}")
            await asyncio.sleep(0.5)
            if not relayed_s and not await count(
                waste_db, "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            ):
                relayed_s = time.perf_counter() - t0
                print(f"waste side done (every charge request published) after {relayed_s:.1f} s")
            booked = await count(billing_db, "SELECT count(*) FROM charges WHERE module = 'waste'")
        total_s = time.perf_counter() - t0
        gross = await count(
            billing_db, "SELECT sum(gross_grosze) FROM charges WHERE module = 'waste'"
        )
        assert gross == 4 * n * 42000, gross
        print(f"billing booked {booked} charges ({gross / 100:.2f} zł) {total_s:.1f} s after start "
              f"({booked / total_s:.0f} charges/s)")  # fmt: skip
        t1 = time.perf_counter()
        again = await assessment.run(waste_db, outbox, YEAR, no_water, actor="bench", batch=batch)
        print(f"second run: {again.charges_requested} charge requests, "
              f"{again.already_assessed} installments already assessed, {time.perf_counter() - t1:.1f} s")  # fmt: skip
        assert again.charges_requested == 0
        await asyncio.sleep(2)
        assert await count(billing_db, "SELECT count(*) FROM charges") == 4 * n
    finally:
        for p in procs:
            await stop(p)
        await waste_db.dispose()
        await billing_db.dispose()
        await bus.delete_streams(CHARGES_STREAM.name)
        await bus.delete_streams("PORTAL_WASTE")
        await bus.close()
        for name in names.values():
            await admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"target: ≤ 300 s; {'met' if total_s <= 300 else 'NOT met'}")
    print(f"BENCH waste_assessment_s {total_s:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
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
        asyncio.run(bench(ns.database_url, ns.nats_url or embedded.url, ns.n, ns.batch))  # type: ignore[union-attr]
    finally:
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    main()
