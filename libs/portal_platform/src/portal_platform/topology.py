"""The installation's services, discovered from `services/*/pyproject.toml` ([tool.portal])."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServiceInfo:
    """One service folder: its package name, ports and whether it is a module."""

    name: str
    path: Path
    grpc_port: int
    http_port: int
    module: bool
    has_database: bool

    @property
    def kebab(self) -> str:
        return self.name.replace("_", "-")


def find_root(start: Path | None = None) -> Path:
    """The repository root: the nearest folder above `start` holding `services/`."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "services").is_dir() and (folder / "libs").is_dir():
            return folder
    raise FileNotFoundError("cannot find the repository root (a folder with services/ and libs/)")


def discover_services(root: Path, port_offset: int = 0) -> list[ServiceInfo]:
    """Every folder under services/ with a pyproject.toml, sorted by name."""
    found = []
    for pyproject in sorted((root / "services").glob("*/pyproject.toml")):
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        portal = data.get("tool", {}).get("portal", {})
        folder = pyproject.parent
        found.append(
            ServiceInfo(
                name=folder.name,
                path=folder,
                grpc_port=_shift(int(portal.get("grpc_port", 0)), port_offset),
                http_port=_shift(int(portal.get("http_port", 0)), port_offset),
                module=bool(portal.get("module", False)),
                has_database=(folder / "alembic.ini").exists(),
            )
        )
    return found


def _shift(port: int, offset: int) -> int:
    return port + offset if port else 0


def ports_env(services: list[ServiceInfo]) -> dict[str, str]:
    """`<SERVICE>_GRPC_PORT` / `<SERVICE>_HTTP_PORT` from [tool.portal], the one source of ports."""
    env = {}
    for s in services:
        if s.grpc_port:
            env[f"{s.name.upper()}_GRPC_PORT"] = str(s.grpc_port)
        if s.http_port:
            env[f"{s.name.upper()}_HTTP_PORT"] = str(s.http_port)
    return env


def address_env(services: list[ServiceInfo], host: str = "127.0.0.1") -> dict[str, str]:
    """Variables telling every service where the others are (name=address lists, *_ADDRESS)."""
    grpc = ",".join(f"{s.name}={host}:{s.grpc_port}" for s in services if s.grpc_port)
    http = ",".join(
        f"{s.name}=http://{host}:{s.http_port}/healthz"
        for s in services
        if s.http_port and s.name not in ("gateway", "admin")
    )
    modules = ",".join(f"{s.name}={host}:{s.grpc_port}" for s in services if s.module)
    env = {"PORTAL_MODULES": modules}
    for s in services:
        prefix = s.name.upper()
        env[f"{prefix}_GRPC_SERVICES"] = grpc
        for other in services:
            if other.grpc_port and other.name != s.name:
                env[f"{prefix}_{other.name.upper()}_ADDRESS"] = f"{host}:{other.grpc_port}"
    ui_ports = {s.name: s.http_port for s in services if s.name in ("gateway", "admin")}
    for ui, peer in (("GATEWAY", "admin"), ("ADMIN", "gateway")):
        extra = f"{peer}=http://{host}:{ui_ports[peer]}/healthz" if peer in ui_ports else ""
        env[f"{ui}_HTTP_SERVICES"] = ",".join(x for x in [http, extra] if x)
    return env
