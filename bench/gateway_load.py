"""The resident dashboard under load: 50 concurrent users on Pulpit, the whole system running.

    uv run --no-sync python bench/gateway_load.py [--users 50] [--duration 60]

Starts every service as `make run` does (portal_platform.devrun: separate processes, SQLite
files, an embedded NATS; ports shifted by --offset, state in a temporary folder), loads the demo
data (`python -m identity demo`, `python -m water demo`, `python -m waste demo`) and waits until
billing has booked the demo charges. Then --users simulated residents (an asyncio + httpx load
generator in this process, equivalent to a locust run) each log in through identity's real
login page (OIDC code flow, argon2id) and open the dashboard again and again, with a think time
of --wait-min..--wait-max seconds, for --duration seconds. Each dashboard is the full page: three
billing calls (balance, installments, documents) every time, and SummarisePayer of every module
(water, waste, property tax), which the gateway reuses for 20 s per kartoteka (a form the
resident sends clears it); then the fees chart and the template.
Printed: requests/s and latency percentiles of the dashboard only (logins are excluded).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
EMAIL, PASSWORD = "jan.kowalski@example.pl", "Demo-Mieszkaniec-2026"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def start_system(offset: int, var: Path) -> tuple[subprocess.Popen[str], str, dict[str, str]]:
    env = {**os.environ, "PORTAL_PORT_OFFSET": str(offset), "PORTAL_VAR_DIR": str(var)}
    env.pop("NATS_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "portal_platform.devrun"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    assert proc.stdout is not None
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        lines.append(line)
        if "Pamięć (RSS)" in line:
            break
    text = "".join(lines)
    found = re.search(r"Portal mieszkańca:\s+(http://\S+)", text)
    if not found:
        stop(proc)
        raise SystemExit("the system did not start:\n" + text[-3000:])
    out = proc.stdout
    # keep reading the services' output so they never block on a full pipe
    threading.Thread(target=lambda: [None for _line in out], daemon=True).start()
    values = dict(
        line.split("=", 1) for line in (var / ".env").read_text().splitlines() if "=" in line
    )
    return proc, found.group(1), {**env, **values}


def stop(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=40)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def load_demo(env: dict[str, str]) -> None:
    for service in ("identity", "water", "waste"):
        subprocess.run(
            [sys.executable, "-m", service, "demo"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


async def login(http: httpx.AsyncClient, gateway: str) -> str:
    """Identity's login form (with its hidden CSRF and `next` fields); back on Pulpit."""
    page = await http.get(f"{gateway}/logowanie")
    form = {k: html.unescape(v) for k, v in HIDDEN.findall(page.text)}
    done = await http.post(
        str(page.url.join("/logowanie")), data={**form, "email": EMAIL, "password": PASSWORD}
    )
    return done.text


async def wait_for_charges(gateway: str, timeout: float = 120) -> int:
    """Wait until the dashboard shows the demo charges booked by billing."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(follow_redirects=True, timeout=30) as http:
        await login(http, gateway)
        while time.monotonic() < deadline:
            total = re.search(r'data-total="(\d+)"', (await http.get(f"{gateway}/")).text)
            if total and int(total.group(1)) > 0:
                return int(total.group(1))
            await asyncio.sleep(1)
    raise SystemExit("billing did not book the demo charges in time")


class Run:
    """Shared state of the load: when measuring starts and stops, what was measured."""

    def __init__(self, args: Any) -> None:
        self.args = args
        self.start = asyncio.Event()
        self.until = 0.0
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.logins = asyncio.Semaphore(1)  # residents arrive one after another (argon2id)
        self.logged_in = 0
        self.retries = 0
        self.ready = asyncio.Event()  # every resident has logged in (or failed to)

    def arrived(self) -> None:
        if self.logged_in + len(self.failures) >= self.args.users:
            self.ready.set()


async def resident(run: Run, gateway: str) -> None:
    """One resident: log in through identity, then open Pulpit again and again."""
    async with httpx.AsyncClient(follow_redirects=True, timeout=30) as http:
        async with run.logins:
            page = await login(http, gateway)
        if "data-total" not in page:
            run.failures.append("login")
            run.arrived()
            return
        run.logged_in += 1
        run.arrived()
        await run.start.wait()
        await asyncio.sleep(random.uniform(0, run.args.wait_max))
        while time.monotonic() < run.until:
            began = time.perf_counter()
            try:
                resp = await http.get(f"{gateway}/")
            except httpx.RemoteProtocolError:
                # the server closed an idle keep-alive connection just as it was reused:
                # a browser retries a GET at once on a new connection, and so do we
                resp = await http.get(f"{gateway}/")
                run.retries += 1
            took = (time.perf_counter() - began) * 1000
            if resp.status_code != 200 or "data-total" not in resp.text:
                run.failures.append(f"{resp.status_code} {resp.url}")
            elif time.monotonic() < run.until:
                run.latencies.append(took)
            await asyncio.sleep(random.uniform(run.args.wait_min, run.args.wait_max))


async def load(gateway: str, args: Any) -> Run:
    run = Run(args)
    tasks = [asyncio.create_task(resident(run, gateway)) for _ in range(args.users)]
    await run.ready.wait()
    run.until = time.monotonic() + args.duration
    run.start.set()
    await asyncio.gather(*tasks)
    return run


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--wait-min", type=float, default=1.0)
    parser.add_argument("--wait-max", type=float, default=5.0)
    parser.add_argument(
        "--heavy", default="1,2", help="think time min,max of a second, heavier run ('' to skip)"
    )
    parser.add_argument("--offset", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gateway-load-") as tmp:
        proc, gateway, env = start_system(args.offset, Path(tmp) / "var")
        try:
            load_demo(env)
            owed = asyncio.run(wait_for_charges(gateway))
            heavy = None
            if args.heavy:
                low, high = (float(x) for x in args.heavy.split(","))
                heavy = asyncio.run(
                    load(
                        gateway,
                        argparse.Namespace(**{**vars(args), "wait_min": low, "wait_max": high}),
                    )
                )
            run = asyncio.run(load(gateway, args))
        finally:
            stop(proc)
    lat = run.latencies
    if not lat:
        raise SystemExit(f"no dashboard was measured; failures: {run.failures[:5]}")
    p95 = percentile(lat, 95)
    say(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; every service its own process (make run), SQLite, "
        "embedded NATS; the load generator runs on the same machine; "
        f"load average before the run {os.getloadavg()[0]:.1f}"
    )
    say(
        f"load: {args.users} concurrent residents, each logged in through identity, think time "
        f"{args.wait_min}–{args.wait_max} s, {args.duration} s; the demo payer owes "
        f"{owed / 100:.2f} zł (water invoice + 4 waste installments)"
    )
    say(
        f"dashboard: {len(lat)} requests, {len(run.failures)} failures, "
        f"{run.retries} retried after an idle keep-alive connection closed, "
        f"{len(lat) / args.duration:.1f} requests/s; latency median "
        f"{statistics.median(lat):.0f} ms, p95 {p95:.0f} ms, p99 {percentile(lat, 99):.0f} ms, "
        f"max {max(lat):.0f} ms"
    )
    if heavy is not None and heavy.latencies:
        h = heavy.latencies
        say(
            f"heavier run (think time {args.heavy.replace(',', '–')} s): {len(h) / heavy.args.duration:.1f} "
            f"requests/s, p95 {percentile(h, 95):.0f} ms, p99 {percentile(h, 99):.0f} ms, "
            f"{len(heavy.failures)} failures"
        )
    say("target: p95 <= 150 ms")
    say(f"BENCH gateway_dashboard_p95_ms {p95:.0f} ms")


if __name__ == "__main__":
    main()
