"""SIGKILL the relay and billing's consumer mid-stream: every charge is still booked once.

A dummy module (tests/reliability/dummy_producer.py) queues 10 000 ChargeRequested events
in its own outbox. Its relay and `python -m billing consume` run as separate OS processes;
each is killed with SIGKILL when its own progress passes 3 000 and 6 000 events (relay:
rows marked published; consumer: charges booked) and started again. At the end billing
holds exactly 10 000 charges, 10 000 lines and 10 000 inbox rows, one per event.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from billing.app import definition as billing
from portal_platform.db import Database, normalise_url
from portal_platform.messaging.bus import CHARGES_STREAM, DLQ_STREAM, Bus
from portal_platform.service import ServiceDefinition
from portal_platform.testing.backends import Backends

N = 10_000
KILL_AT = (3_000, 6_000)
DEADLINE_S = 240.0  # a safety net; on an idle 2-core machine the run takes 40-60 s
PRODUCER = Path(__file__).resolve().parent / "dummy_producer.py"
DURABLE = "billing__charges"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


class Process:
    """A child process that can be SIGKILLed and started again; output goes to a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.workdir = workdir
        self.log = workdir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"--- start #{self.starts}: {' '.join(self.argv)}\n".encode())
            out.flush()
            self.popen = subprocess.Popen(
                self.argv, env=self.env, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        """SIGKILL: no clean-up, no chance to commit or ack anything in flight."""
        assert self.popen is not None
        self.popen.kill()
        self.popen.wait(10)

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)

    def check_alive(self) -> None:
        assert self.popen is not None
        code = self.popen.poll()
        assert code is None, f"{self.name} exited with {code}:\n{self.tail()}"

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no output)"


@pytest_asyncio.fixture
async def producer_database_url(backends: Backends, tmp_path: Path) -> AsyncIterator[str]:
    """A scratch database of the dummy module (its schema is created by `fill`)."""
    if backends.database_admin_url is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'dummy.db'}"
        return
    admin_url = normalise_url(backends.database_admin_url)
    name = f"t_dummy_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def scalar(db: Database, sql: str) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def column(db: Database, sql: str) -> list[str]:
    async with db.engine.connect() as conn:
        return [str(v) for v in (await conn.execute(text(sql))).scalars()]


def producer(*args: str) -> list[str]:
    """Command line of the dummy module's script."""
    return [sys.executable, str(PRODUCER), *args]


async def run_with_kills(
    relay: Process, consumer: Process, producer_db: Database, billing_db: Database
) -> tuple[float, list[str]]:
    """Run both processes, SIGKILL and restart each at KILL_AT; return (seconds, kills)."""
    kills: list[str] = []
    relay_left, consumer_left = list(KILL_AT), list(KILL_AT)
    loop = asyncio.get_running_loop()
    began = loop.time()
    consumer.start()
    relay.start()
    while True:
        published = await scalar(
            producer_db, "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL"
        )
        booked = await scalar(billing_db, "SELECT count(*) FROM charges")
        if relay_left and published >= relay_left[0]:
            relay_left.pop(0)
            relay.kill()
            kills.append(f"relay at {published} published, {loop.time() - began:.1f} s")
            relay.start()
        if consumer_left and booked >= consumer_left[0]:
            consumer_left.pop(0)
            consumer.kill()
            kills.append(f"consumer at {booked} booked, {loop.time() - began:.1f} s")
            consumer.start()
        done = not relay_left and not consumer_left and booked >= N
        if done and await scalar(billing_db, "SELECT count(*) FROM inbox") >= N:
            return loop.time() - began, kills
        relay.check_alive()
        consumer.check_alive()
        assert loop.time() - began < DEADLINE_S, (
            f"not done in {DEADLINE_S:.0f} s: published={published} booked={booked} "
            f"kills={kills}\n--- relay:\n{relay.tail()}\n--- consumer:\n{consumer.tail()}"
        )
        await asyncio.sleep(0.1)


async def test_killed_relay_and_consumer_book_every_charge_exactly_once(
    make_database: Callable[[ServiceDefinition], Awaitable[str]],
    producer_database_url: str,
    nats_url: str,
    tmp_path: Path,
) -> None:
    billing_url = await make_database(billing)
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "NATS_URL": nats_url,
        "BILLING_DATABASE_URL": billing_url,
        "BILLING_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    fill = await asyncio.to_thread(
        subprocess.run,
        producer("fill", "--database-url", producer_database_url, "--n", str(N)),
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert fill.returncode == 0, fill.stderr

    relay_argv = producer("relay", "--database-url", producer_database_url, "--nats-url", nats_url)
    relay = Process("relay", relay_argv, env, tmp_path)
    consumer = Process("consumer", [sys.executable, "-m", "billing", "consume"], env, tmp_path)
    producer_db = Database(producer_database_url, pool_size=1)
    billing_db = Database(billing_url, pool_size=1)
    try:
        elapsed, kills = await run_with_kills(relay, consumer, producer_db, billing_db)
        assert len(kills) == 2 * len(KILL_AT)
        # Let anything still in flight (redeliveries after ack_wait) land before counting.
        await asyncio.sleep(1.0)

        event_ids = set(await column(producer_db, "SELECT event_id FROM outbox"))
        assert len(event_ids) == N
        unpublished = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        assert await scalar(producer_db, unpublished) == 0

        assert await scalar(billing_db, "SELECT count(*) FROM charges") == N
        assert await scalar(billing_db, "SELECT count(*) FROM charge_lines") == N
        keys = await column(billing_db, "SELECT idempotency_key FROM charges")
        assert len(keys) == len(set(keys)) == N
        assert set(keys) == {f"dummy-{i:06d}" for i in range(N)}
        assert set(await column(billing_db, "SELECT event_id FROM charges")) == event_ids
        odd_lines = (
            "SELECT count(*) FROM (SELECT charge_id FROM charge_lines GROUP BY charge_id"
            " HAVING count(*) <> 1) AS odd"
        )
        assert await scalar(billing_db, odd_lines) == 0
        assert await scalar(billing_db, "SELECT count(*) FROM inbox") == N
        inbox = f"SELECT event_id FROM inbox WHERE consumer = '{DURABLE}'"
        assert set(await column(billing_db, inbox)) == event_ids

        bus = await Bus.connect(nats_url, name="reliability-check")
        try:
            # Rows republished after a relay was killed were dropped by JetStream de-duplication.
            assert (await bus.js.stream_info(CHARGES_STREAM.name)).state.messages == N
            dlq = await bus.js.stream_info(DLQ_STREAM.name)
            assert dlq.state.messages == 0, "nothing may be dead-lettered"
            info = await bus.js.consumer_info(CHARGES_STREAM.name, DURABLE)
            deliveries = info.delivered.consumer_seq
        finally:
            await bus.close()
        print(
            f"\n{N} events in {elapsed:.1f} s; kills: {'; '.join(kills)}; "
            f"deliveries to billing: {deliveries} ({deliveries - N} redelivered)"
        )
    finally:
        relay.stop()
        consumer.stop()
        await producer_db.dispose()
        await billing_db.dispose()
