"""What each service needs in a container: its variables, resolved for compose and Kubernetes."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from portal_deploy.envvars import EnvVar, service_env
from portal_platform.config import DEV_SECRET
from portal_platform.topology import ServiceInfo, address_env, discover_services

DEPLOY = Path(__file__).resolve().parents[1]
NATS_URL = "nats://nats:4222"
POSTGRES_HOST = "postgres"
LOCAL_HOST = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*://)?(?:127\.0\.0\.1|localhost):(?P<port>\d+)"
)

Kind = Literal["fixed", "public", "database", "secret", "optional"]


@dataclass(frozen=True)
class Value:
    """A variable as deployed: fixed text, a public URL template, a secret or left to the operator."""

    name: str
    kind: Kind
    text: str = ""  # fixed: the value; public: template with {VAR}; secret: the example value
    var: EnvVar | None = None
    source: str = ""  # secret: the variable of .env / the dev overlay holding it (default: name)

    @property
    def origin(self) -> str:
        return self.source or self.name


@dataclass
class Service:
    """One service with its topology, its deployment choices and its variables."""

    info: ServiceInfo
    options: dict[str, Any]
    env: list[EnvVar]
    values: list[Value] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def host(self) -> str:
        return self.info.kebab

    @property
    def prefix(self) -> str:
        return self.name.upper() + "_"

    def command(self, verb: str = "serve") -> list[str]:
        return ["python", "-m", self.name, verb]

    @property
    def processes(self) -> list[str]:
        """Commands run as their own containers in Kubernetes (serve, and split workers)."""
        if self.options.get("workers") == "split":
            return ["serve", "relay", "consume"]
        return ["serve"]


@dataclass
class Installation:
    """Every service and the shared choices (published URLs, images)."""

    root: Path
    services: list[Service]
    images: dict[str, dict[str, str]]

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    @property
    def public_urls(self) -> dict[str, str]:
        """Variable holding the public URL of each published service, by service name."""
        return {
            s.name: s.options.get("public_url") or f"{s.prefix}PUBLIC_URL"
            for s in self.services
            if s.options.get("publish") and s.info.http_port
        }

    def jwks_url(self) -> str:
        identity = next((s for s in self.services if s.name == "identity"), None)
        port = identity.info.http_port if identity else 8002
        return f"http://identity:{port}/.well-known/jwks.json"


def load_options(root: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, str]]]:
    data = tomllib.loads((root / "deploy" / "services.toml").read_text(encoding="utf-8"))
    return data.get("defaults", {}), data.get("service", {}), data.get("images", {})


def load(root: Path) -> Installation:
    """Read services/ (topology), the services' Settings and deploy/services.toml."""
    defaults, per_service, images = load_options(root)
    services = [
        Service(info, {**defaults, **per_service.get(info.name, {})}, service_env(info.name))
        for info in discover_services(root)
    ]
    inst = Installation(root, services, images)
    for s in services:
        s.values = resolve(inst, s)
    return inst


def _ports(inst: Installation) -> dict[int, Service]:
    ports: dict[int, Service] = {}
    for s in inst.services:
        for port in (s.info.grpc_port, s.info.http_port):
            if port:
                ports[port] = s
    return ports


def localise(inst: Installation, text: str, *, public_urls: bool = True) -> tuple[str, bool]:
    """Rewrite 127.0.0.1:<port> of a service to its in-cluster or (for URLs) public address."""
    ports = _ports(inst)
    public = inst.public_urls if public_urls else {}
    uses_public = False

    def swap(m: re.Match[str]) -> str:
        nonlocal uses_public
        svc = ports.get(int(m["port"]))
        if svc is None:
            return m[0]
        if m["scheme"] and m["scheme"].startswith("http") and svc.name in public:
            uses_public = True
            return "{" + public[svc.name] + "}"
        return f"{m['scheme'] or ''}{svc.host}:{m['port']}"

    result = LOCAL_HOST.sub(swap, text)
    if uses_public:  # the same URL given for 127.0.0.1 and localhost collapses into one
        result = ",".join(dict.fromkeys(x.strip() for x in result.split(",") if x.strip()))
    return result, uses_public


def ui_addresses(inst: Installation) -> dict[str, str]:
    """GATEWAY_/ADMIN_GRPC_SERVICES, *_HTTP_SERVICES and PORTAL_MODULES with service hostnames."""
    env = address_env([s.info for s in inst.services])
    return {k: localise(inst, v, public_urls=False)[0] for k, v in env.items()}


def resolve(inst: Installation, s: Service) -> list[Value]:
    """How each variable of the service is set in a container."""
    fixed = {
        "PORTAL_ENV": "production",
        "NATS_URL": NATS_URL,
        "OIDC_JWKS_URL": inst.jwks_url(),
        f"{s.prefix}BIND_HOST": "0.0.0.0",
        f"{s.prefix}GRPC_PORT": str(s.info.grpc_port),
        f"{s.prefix}HTTP_PORT": str(s.info.http_port),
        f"{s.prefix}RUN_MIGRATIONS": "false",
        f"{s.prefix}LOG_JSON": "true",
    }
    fixed.update(ui_addresses(inst))
    values: list[Value] = []
    for var in s.env:
        if var.name == "OIDC_ISSUER":
            values.append(Value(var.name, "public", "{OIDC_ISSUER}", var))
        elif var.name == f"{s.prefix}DATABASE_URL":
            if s.info.has_database:
                values.append(Value(var.name, "database", "", var))
        elif var.name in fixed:
            values.append(Value(var.name, "fixed", fixed[var.name], var))
        elif var.secret and var.default:
            source = paired_secret(inst, var)
            values.append(Value(var.name, "secret", example_secret(inst, var), var, source))
        elif var.secret:
            values.append(Value(var.name, "optional", "", var))
        else:
            text, public = localise(inst, var.default)
            if public:
                values.append(Value(var.name, "public", text, var))
            elif text != var.default:
                values.append(Value(var.name, "fixed", text, var))
            else:
                values.append(Value(var.name, "optional", "", var))
    return values


def paired_secret(inst: Installation, var: EnvVar) -> str:
    """`<S>_OIDC_CLIENT_SECRET` is the value identity knows as `IDENTITY_<S>_CLIENT_SECRET`."""
    suffix = "_OIDC_CLIENT_SECRET"
    if not var.name.endswith(suffix):
        return ""
    client = var.name[: -len(suffix)]
    twin = f"IDENTITY_{client}_CLIENT_SECRET"
    known = any(v.name == twin for s in inst.services if s.name == "identity" for v in s.env)
    return twin if known else ""


def example_secret(inst: Installation, var: EnvVar) -> str:
    """The value in .env.example: development secrets stay recognisable (and refused)."""
    if DEV_SECRET in var.default:
        return var.default
    text, _ = localise(inst, var.default)
    if text.startswith("smtp://"):
        return "smtp://mailsink:2525"
    return text
