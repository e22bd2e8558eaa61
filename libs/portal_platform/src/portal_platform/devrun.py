"""`make run`: every service, an embedded NATS and a mail sink under honcho, on local defaults."""

from __future__ import annotations

import os

# The watcher below calls gRPC while honcho forks the services: keep gRPC's fork hooks quiet.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

import asyncio
import importlib
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from honcho.manager import Manager
from honcho.printer import Printer

from portal_platform.config import parse_address_map
from portal_platform.health import collect
from portal_platform.testing.backends import nats_server_binary
from portal_platform.topology import (
    ServiceInfo,
    address_env,
    discover_services,
    find_root,
    ports_env,
)

# PORTAL_PORT_OFFSET shifts every port, so a second installation can run beside the first.
PORT_OFFSET = int(os.environ.get("PORTAL_PORT_OFFSET", "0"))
NATS_PORT = int(os.environ.get("PORTAL_NATS_PORT", "4322")) + PORT_OFFSET
SMTP_PORT = int(os.environ.get("PORTAL_SMTP_PORT", "2525")) + PORT_OFFSET
STARTUP_TIMEOUT_S = 120


def var_dir(root: Path) -> Path:
    """Where local state lives (SQLite files, NATS store, mail): var/ or PORTAL_VAR_DIR."""
    return Path(os.environ.get("PORTAL_VAR_DIR") or root / "var").resolve()


def environment(root: Path, services: list[ServiceInfo], nats_url: str) -> dict[str, str]:
    """Environment of every process: local mode, SQLite files under var/, addresses."""
    var = var_dir(root)
    env = {
        "PORTAL_ENV": "local",
        "NATS_URL": nats_url,
        "SMTP_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "PYTHONUNBUFFERED": "1",
        "PORTAL_SKIP_RICH": "1",  # see portal_platform/__init__.py
    }
    for s in services:
        if s.has_database:
            env[f"{s.name.upper()}_DATABASE_URL"] = f"sqlite+aiosqlite:///{var / s.name}.db"
    identity = next((s for s in services if s.name == "identity" and s.http_port), None)
    if identity:
        env["OIDC_ISSUER"] = f"http://127.0.0.1:{identity.http_port}"
    env.update(ports_env(services))
    env.update(address_env(services))
    env.update(public_urls(services))
    return {**env, **{k: v for k, v in os.environ.items() if k in env and k != "PORTAL_ENV"}}


def public_urls(services: list[ServiceInfo]) -> dict[str, str]:
    """Addresses that appear in links (e-mails, redirects), so they follow PORTAL_PORT_OFFSET."""
    web = {s.name: f"http://127.0.0.1:{s.http_port}" for s in services if s.http_port}
    wanted = {
        "IDENTITY_GATEWAY_URL": web.get("gateway"),
        "NOTIFY_PORTAL_URL": web.get("gateway"),
        "NOTIFY_ADMIN_URL": web.get("admin"),
        "BILLING_PUBLIC_URL": web.get("billing"),
    }
    return {k: v for k, v in wanted.items() if v}


def processes(
    root: Path, services: list[ServiceInfo], nats_url: str | None
) -> list[tuple[str, str]]:
    var = var_dir(root)
    procs: list[tuple[str, str]] = []
    if nats_url is None:
        procs.append(
            (
                "nats",
                f"exec {nats_server_binary()} -a 127.0.0.1 -p {NATS_PORT} -js -sd {var / 'nats'}",
            )
        )
    procs.append(
        (
            "mail",
            f"exec {sys.executable} -m portal_platform.mailsink --port {SMTP_PORT} --dir {var / 'mail'}",
        )
    )
    procs += [(s.name, f"exec {sys.executable} -m {s.name} serve") for s in services]
    return procs


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _rss_by_service(names: list[str]) -> dict[str, float]:
    rss: dict[str, float] = {}
    for proc in psutil.process_iter(["cmdline", "memory_info"]):
        cmd = proc.info.get("cmdline") or []
        for name in names:
            if cmd[-3:] == ["-m", name, "serve"] and proc.info.get("memory_info"):
                rss[name] = proc.info["memory_info"].rss / 1024 / 1024
    return rss


def demo_services(services: list[ServiceInfo]) -> list[str]:
    """Services with a `demo` command, identity first (the others link to its demo payer)."""
    found = []
    for s in services:
        try:
            definition = importlib.import_module(f"{s.name}.app").definition
        except Exception:
            continue
        if "demo" in definition.commands:
            found.append(s.name)
    return sorted(found, key=lambda n: (n != "identity", n))


def load_demo_data(env: dict[str, str], services: list[ServiceInfo]) -> None:
    """Run every `python -m <svc> demo` (idempotent) and show what they print."""
    for name in demo_services(services):
        proc = subprocess.run(
            [sys.executable, "-m", name, "demo"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        out = (proc.stdout + ("" if proc.returncode == 0 else proc.stderr)).strip()
        status = "dane demonstracyjne" if proc.returncode == 0 else "BŁĄD danych demonstracyjnych"
        _say(f"   [{name}] {status}:")
        for line in out.splitlines()[-15:]:
            _say(f"      {line}")


def watch(env: dict[str, str], services: list[ServiceInfo], started: float) -> None:
    """Wait until every service reports SERVING, then print the URLs and memory use."""
    grpc = parse_address_map(env["GATEWAY_GRPC_SERVICES"])
    http = {s.name: f"http://127.0.0.1:{s.http_port}/healthz" for s in services if s.http_port}
    while time.monotonic() - started < STARTUP_TIMEOUT_S:
        statuses = asyncio.run(collect(grpc, http))
        if all(s.ok for s in statuses):
            break
        time.sleep(0.5)
    else:
        bad = ", ".join(f"{s.name} ({s.kind})" for s in statuses if not s.ok)
        _say(f"\n!! Po {STARTUP_TIMEOUT_S} s nie działają: {bad}. Zobacz komunikaty powyżej.\n")
        return
    took = time.monotonic() - started
    ports = ", ".join(f"{s.name} {s.grpc_port}" for s in services if s.grpc_port)
    web = {s.name: f"http://127.0.0.1:{s.http_port}" for s in services if s.http_port}
    _say(
        "\n"
        f"== Portal Komunalny działa (start w {took:.1f} s) ==\n"
        f"   Portal mieszkańca:   {web.get('gateway', '-')}\n"
        f"   Zaplecze urzędnika:  {web.get('admin', '-')}  (tylko localhost)\n"
        f"   Tożsamość (OIDC):    {web.get('identity', '-')}\n"
        f"   gRPC:                {ports}\n"
        f"   NATS:                {env['NATS_URL']}\n"
        f"   Poczta (pliki .eml): {var_dir(find_root()) / 'mail'}  (SMTP 127.0.0.1:{SMTP_PORT})\n"
        "   Ctrl-C zatrzymuje wszystko.\n"
    )
    if os.environ.get("PORTAL_DEMO_DATA", "1") != "0":
        load_demo_data(env, services)
    time.sleep(3)
    rss = _rss_by_service([s.name for s in services])
    _say(
        "   Pamięć (RSS) w spoczynku: "
        + ", ".join(f"{n} {v:.0f} MB" for n, v in sorted(rss.items()))
        + "\n"
    )


def main() -> None:
    root = find_root()
    var = var_dir(root)
    (var / "mail").mkdir(parents=True, exist_ok=True)
    services = discover_services(root, PORT_OFFSET)
    given_nats = os.environ.get("NATS_URL")
    nats_url = given_nats or f"nats://127.0.0.1:{NATS_PORT}"
    env = environment(root, services, nats_url)
    procs = processes(root, services, given_nats)
    (var / "Procfile").write_text("".join(f"{n}: {c}\n" for n, c in procs))
    (var / ".env").write_text("".join(f"{k}={v}\n" for k, v in sorted(env.items())))
    manager = Manager(Printer(sys.stdout))
    full_env = {**os.environ, **env}
    for name, cmd in procs:
        manager.add_process(name, cmd, env=full_env, cwd=str(root))
    threading.Thread(target=watch, args=(env, services, time.monotonic()), daemon=True).start()
    manager.loop()
    # honcho reports 130 after Ctrl-C even when every process stopped cleanly
    sys.exit(0 if manager.returncode in (None, 0, 130) else manager.returncode)


if __name__ == "__main__":
    main()
