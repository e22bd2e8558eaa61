"""`make run`'s runner brings every discovered service to healthy, lists them, stops on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from portal_platform.topology import discover_services, find_root

OFFSET = 17  # ports shifted so a developer's own `make run` can keep running


@pytest.mark.slow
def test_devrun_starts_everything_and_stops_cleanly(tmp_path: Path) -> None:
    root = find_root(Path(__file__))
    services = discover_services(root, OFFSET)
    gateway = next(s for s in services if s.name == "gateway")
    env = {
        **os.environ,
        "PORTAL_PORT_OFFSET": str(OFFSET),
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("NATS_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "portal_platform.devrun"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    try:
        deadline = time.monotonic() + 400
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            output.append(line)
            if "Pamięć (RSS) w spoczynku" in line:
                break
        text = "".join(output)
        assert "Portal Komunalny działa" in text, text[-3000:]
        assert f"http://127.0.0.1:{gateway.http_port}" in text

        with urllib.request.urlopen(
            f"http://127.0.0.1:{gateway.http_port}/status.json", timeout=10
        ) as r:
            status = json.load(r)
        assert status["all_ok"], status
        names = {s["name"] for s in status["services"]}
        assert names >= {s.name for s in services}, "every service folder is listed"

        with urllib.request.urlopen(f"http://127.0.0.1:{gateway.http_port}/stan", timeout=10) as r:
            page = r.read().decode()
        assert page.count('data-status="SERVING"') == len(status["services"])

        rss_line = next(line for line in output if "Pamięć (RSS)" in line)
        print(rss_line.strip())
        for part in rss_line.split(":", 1)[1].split(","):
            megabytes = float(part.strip().split()[1])
            assert megabytes <= 150, rss_line
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            rest, _ = proc.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            rest, _ = proc.communicate()
    assert proc.returncode == 0, rest[-3000:]
