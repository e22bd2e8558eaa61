"""The image's HEALTHCHECK script against real gRPC and HTTP servers of the platform."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI

from portal_platform.http import HttpServer, mount_health
from portal_platform.rpc.server import start_server

SCRIPT = Path(__file__).resolve().parents[1] / "docker" / "healthcheck.py"
ROOT = SCRIPT.parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def healthcheck(**env: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        env={**os.environ, "PORTAL_ROOT": str(ROOT), "PORTAL_SERVICE": "identity", **env},
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    return proc.returncode or 0, err.decode()


async def test_healthy_when_grpc_and_http_answer() -> None:
    grpc_server = await start_server([], host="127.0.0.1", port=0, verifier=None)
    app = FastAPI()
    mount_health(app, "identity")
    http_port = free_port()
    http = HttpServer(app, "127.0.0.1", http_port)
    await http.start()
    try:
        code, err = await healthcheck(
            IDENTITY_GRPC_PORT=str(grpc_server.port), IDENTITY_HTTP_PORT=str(http_port)
        )
        assert code == 0, err
        await grpc_server.stop()  # health turns NOT_SERVING, then the port closes
        code, err = await healthcheck(
            IDENTITY_GRPC_PORT=str(grpc_server.port), IDENTITY_HTTP_PORT=str(http_port)
        )
        assert code == 1 and "gRPC" in err and "HTTP" not in err
    finally:
        await http.stop()


async def test_unhealthy_when_nothing_listens() -> None:
    code, err = await healthcheck(IDENTITY_GRPC_PORT="0", IDENTITY_HTTP_PORT=str(free_port()))
    assert code == 1 and "HTTP" in err


def test_ports_come_from_the_service_pyproject(monkeypatch: pytest.MonkeyPatch) -> None:
    from portal_platform.topology import discover_services

    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    import healthcheck as hc

    for s in discover_services(ROOT):
        monkeypatch.delenv(f"{s.name.upper()}_GRPC_PORT", raising=False)
        monkeypatch.delenv(f"{s.name.upper()}_HTTP_PORT", raising=False)
        assert hc.ports(s.name, ROOT) == (s.grpc_port, s.http_port)
