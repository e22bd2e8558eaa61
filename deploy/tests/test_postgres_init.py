"""deploy/postgres/init-databases.sh: one role and database per service, idempotent, no dev passwords."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "postgres" / "init-databases.sh"


def run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(SCRIPT)],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_development_passwords_are_refused_in_production() -> None:
    done = run(
        {
            "PORTAL_ENV": "production",
            "PORTAL_DATABASES": "water",
            "WATER_DB_PASSWORD": "dev-insecure-change-me",
        }
    )
    assert done.returncode == 1 and "WATER_DB_PASSWORD is the development default" in done.stderr
    done = run(
        {
            "PORTAL_ENV": "production",
            "PORTAL_DATABASES": "water",
            "PGPASSWORD": "dev-insecure-change-me",
        }
    )
    assert done.returncode == 1 and "PostgreSQL password" in done.stderr
    done = run({"PORTAL_DATABASES": "water"})
    assert done.returncode == 1 and "WATER_DB_PASSWORD is empty" in done.stderr


@pytest.fixture
def server() -> dict[str, str]:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql") or shutil.which("psql") is None:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL) and psql")
    parts = urlsplit(url)
    return {
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
        "PGPASSWORD": parts.password or "",
        "PGDATABASE": parts.path.lstrip("/") or "postgres",
    }


def psql(env: dict[str, str], sql: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "-tAc", sql],
        env={"PATH": os.environ["PATH"], **env, **extra},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_roles_and_databases_are_created_idempotently(server: dict[str, str]) -> None:
    a, b = (f"deploytest_{uuid.uuid4().hex[:8]}" for _ in range(2))
    env = {
        **server,
        "PORTAL_ENV": "production",
        "PORTAL_DATABASES": f"{a} {b}",
        f"{a.upper()}_DB_PASSWORD": "pw-a-1",
        f"{b.upper()}_DB_PASSWORD": "pw-b-1",
    }
    try:
        first = run(env)
        assert first.returncode == 0, first.stderr
        again = run({**env, f"{a.upper()}_DB_PASSWORD": "pw-a-2"})  # a password rotation
        assert again.returncode == 0, again.stderr
        owner = psql(
            server, f"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{a}'"
        )
        assert owner.stdout.strip() == a
        flags = psql(
            server,
            f"SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = '{a}'",
        )
        assert flags.stdout.strip() == "f|f|f"
        own = psql(
            server,
            "CREATE TABLE t (x int); SELECT current_user",
            PGUSER=a,
            PGPASSWORD="pw-a-2",
            PGDATABASE=a,
        )
        assert own.returncode == 0 and own.stdout.split()[-1] == a, own.stderr
        other = psql(server, "SELECT 1", PGUSER=a, PGPASSWORD="pw-a-2", PGDATABASE=b)
        assert other.returncode != 0 and "permission denied" in other.stderr
    finally:
        for name in (a, b):
            psql(server, f'DROP DATABASE IF EXISTS "{name}"')
            psql(server, f'DROP ROLE IF EXISTS "{name}"')
