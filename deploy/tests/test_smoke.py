"""deploy/smoke.py (run by `make compose-up`) against a stand-in of the public addresses."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SMOKE = Path(__file__).resolve().parents[1] / "smoke.py"


class Handler(BaseHTTPRequestHandler):
    issuer = ""
    healthy = True

    def do_GET(self) -> None:
        pages = {
            "/healthz": json.dumps({"status": "SERVING" if self.healthy else "NOT_SERVING"}),
            "/": "<!doctype html><html lang='pl'><title>Portal</title></html>",
            "/.well-known/openid-configuration": json.dumps({"issuer": self.issuer}),
        }
        body = pages.get(self.path)
        code = 200 if body is not None and (self.path != "/healthz" or self.healthy) else 503
        self.send_response(code if body is not None else 404)
        self.end_headers()
        self.wfile.write((body or "").encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.issuer, Handler.healthy = url, True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield url
    httpd.shutdown()


def smoke(env_file: Path, timeout: str = "3") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SMOKE), str(env_file)],
        env={"SMOKE_TIMEOUT_S": timeout, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_smoke_passes_on_a_healthy_installation(server: str, tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(f"PORTAL_URL={server}\nOIDC_ISSUER={server}\n# PORTAL_URL=http://ignored\n")
    done = smoke(env)
    assert done.returncode == 0, done.stdout
    assert "smoke: 3 passed, 0 failed" in done.stdout


def test_smoke_fails_when_the_gateway_is_unhealthy(server: str, tmp_path: Path) -> None:
    Handler.healthy = False
    env = tmp_path / ".env"
    env.write_text(f"PORTAL_URL={server}\nOIDC_ISSUER={server}\n")
    done = smoke(env, timeout="1")
    assert done.returncode == 1 and "FAIL gateway health" in done.stdout
