"""Bank statement import on PostgreSQL: N lines parsed, matched and booked in one import.

    uv run --no-sync python bench/statement_import.py [--n 100000]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Seeds N/2 payers with two charges each through billing's intake (not measured), then imports
one CSV statement of N credit lines: 90% to payers' virtual accounts, 5% matched by an
invoice number in the title, 5% unmatched (queued for a clerk). Measured: the whole import
(parse, de-duplication by line key, matching, payments, allocation to receivables, statement
lines, outbox events) in one transaction. A second import of the same file must book nothing.
A scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import time
import uuid
from datetime import date
from decimal import Decimal

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from billing.app import SERVICE_DIR
from billing.charges.intake import intake
from billing.charges.schemas import ChargeIn, LineIn
from billing.context import Context
from billing.db import outbox_table
from billing.modules import ModuleConfig
from billing.statements import service as statements
from portal_platform.db import Database
from portal_platform.messaging.outbox import Outbox
from portal_platform.migrations import upgrade_async


def libpq(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def charge(i: int, module: str) -> ChargeIn:
    gross = 5_000 + i % 7_000
    return ChargeIn(
        event_id=str(uuid.uuid4()),
        payer_id=f"P-{i // 2:07d}",
        module=module,
        idempotency_key=f"st-{i}",
        document_kind="invoice" if module == "water" else "installment",
        title="Opłata",
        lines=(LineIn("Opłata", Decimal(1), "szt.", gross, gross, "zw", 0, gross),),
        due_dates=(date(2099, 3, 15),),
        payer_name=f"Mieszkaniec {i // 2}",
    )


async def seed(db: Database, ctx: Context, n: int) -> None:
    for k in range(0, n, 1000):
        async with db.transaction() as s:
            await intake(
                s,
                ctx,
                [charge(i, "water" if i % 2 else "waste") for i in range(k, min(k + 1000, n))],
            )


async def statement_file(db: Database, n: int) -> bytes:
    async with db.engine.connect() as c:
        accounts = dict((await c.execute(text("select id, virtual_account from payers"))).all())
        docs = (
            await c.execute(
                text("select payer_id, number, gross_grosze from documents order by number")
            )
        ).all()
    rows = ["data;kwota;rachunek_wirtualny;rachunek_nadawcy;nadawca;tytul"]
    for i in range(n):
        payer, number, gross = docs[i % len(docs)]
        amount = f"{gross // 100},{gross % 100:02d}"
        if i % 20 == 0:  # by title only
            rows.append(f"2026-03-02;{amount};;61109010140000071219812874;Jan;Zapłata {number}")
        elif i % 20 == 1:  # nobody's
            rows.append(f"2026-03-02;{amount};;61109010140000071219812874;Ktoś;darowizna {i}")
        else:
            rows.append(
                f"2026-03-02;{amount};{accounts[payer]};61109010140000071219812874;Jan;opłata {i}"
            )
    return ("\n".join(rows) + "\n").encode()


async def run(url: str, n: int) -> None:
    name = f"bench_statement_{uuid.uuid4().hex[:8]}"
    async with await psycopg.AsyncConnection.connect(libpq(url), autocommit=True) as conn:
        await conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    db_url = make_url(libpq(url)).set(database=name).render_as_string(hide_password=False)
    try:
        await upgrade_async(SERVICE_DIR, db_url, "billing")
        db = Database(db_url)
        ctx = Context(modules=ModuleConfig.parse("water=civil,waste=tax", "water=W,waste=O"))
        t0 = time.perf_counter()
        await seed(db, ctx, n)
        seeded = time.perf_counter() - t0
        print(f"seeded {n} charges in {seeded:.1f} s", flush=True)
        content = await statement_file(db, n)
        outbox = Outbox(outbox_table, "billing")
        start, cpu = time.perf_counter(), time.process_time()
        async with db.transaction() as s:
            result = await statements.import_statement(
                s, ctx, outbox, filename="bench.csv", content=content
            )
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        start2 = time.perf_counter()
        async with db.transaction() as s:
            again = await statements.import_statement(
                s, ctx, outbox, filename="bench.csv", content=content
            )
        second = time.perf_counter() - start2
        async with db.engine.connect() as c:
            payments = (await c.execute(text("select count(*) from payments"))).scalar_one()
        await db.dispose()
        assert result.new == n and again.new == 0 and payments == result.matched, (
            result,
            again,
            payments,
        )
        print(
            f"machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
        )
        print(f"backend: PostgreSQL ({make_url(url).host}), scratch database {name}")
        print(f"seeded {n} charges for {n // 2} payers in {seeded:.1f} s (not measured)")
        print(
            f"N={n} lines ({len(content) / 1e6:.1f} MB CSV): matched {result.matched}, "
            f"unmatched {result.unmatched}, problems {len(result.problems)}"
        )
        print(
            f"import {elapsed:.1f} s (process CPU {cpu:.1f} s); re-import {second:.1f} s, new lines {again.new}"
        )
        print(f"BENCH statement_import_s {elapsed:.1f} s")
    finally:
        async with await psycopg.AsyncConnection.connect(libpq(url), autocommit=True) as conn:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    ns = p.parse_args()
    asyncio.run(run(ns.database_url, ns.n))


if __name__ == "__main__":
    main()
