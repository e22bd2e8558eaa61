"""Settings refuse development secrets outside local mode; bad configuration is one clear line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from portal_platform.config import DEV_SECRET, PortalSettings, load_settings, parse_address_map
from portal_platform.errors import StartupError


def test_dev_secret_refused_in_production(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(StartupError, match="secret_key has the development default"):
        load_settings(PortalSettings)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "a-real-secret-from-the-vault")
    assert load_settings(PortalSettings).secret_key != DEV_SECRET


def test_dev_secret_allowed_locally(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "local")
    assert load_settings(PortalSettings).secret_key == DEV_SECRET


def test_address_map():
    assert parse_address_map("a=h:1, b=h:2") == {"a": "h:1", "b": "h:2"}
    assert parse_address_map("") == {}
    with pytest.raises(ValueError):
        parse_address_map("nonsense")


def _run_service(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORTAL_ENV": "local", "BILLING_GRPC_PORT": "0", **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "billing", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("postgresql://nobody@127.0.0.1:1/nowhere", "cannot connect to database"),
        ("mysql://x@localhost/db", "unsupported database"),
        ("::not a url::", "not a valid database URL"),
    ],
)
def test_bad_database_url_exits_with_one_line(url, fragment):
    proc = _run_service({"BILLING_DATABASE_URL": url})
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("billing: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in proc.stderr


def test_production_with_dev_secret_exits_with_one_line(tmp_path):
    proc = _run_service(
        {"PORTAL_ENV": "production", "BILLING_DATABASE_URL": f"sqlite:///{tmp_path}/b.db"}
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "secret_key has the development default" in proc.stderr
