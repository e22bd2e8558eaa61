"""Every environment variable of every service, read from the services' Settings classes."""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, SecretStr
from pydantic_settings import BaseSettings

from portal_platform.config import DEV_SECRET, PortalSettings
from portal_platform.topology import ServiceInfo

# A variable is secret when its last word is one of these, or it mentions SECRET or PASSWORD.
SECRET_LAST_WORDS = (
    "SECRET",
    "SECRETS",
    "PASSWORD",
    "PASSWD",
    "KEY",
    "TOKEN",
    "CRC",
    "CREDENTIALS",
)
# Variables whose value may carry credentials although their name does not say so.
SENSITIVE = ("DATABASE_URL", "SMTP_URL")

# Meaning of the fields every service inherits from PortalSettings (they have no comments).
BASE_MEANINGS = {
    "env": "`local` / `test` / `production`; production refuses development secrets",
    "nats_url": "NATS server(s), e.g. `nats://nats:4222` (comma-separated for a cluster)",
    "database_url": "the service's own database (`postgresql://role:password@host/db`)",
    "grpc_port": "gRPC port (0 = the service has no gRPC server)",
    "http_port": "HTTP port (0 = the service has no HTTP server)",
    "bind_host": "address to listen on; `0.0.0.0` in containers",
    "log_json": "one JSON object per log line (`true` in containers)",
    "log_level": "`DEBUG`, `INFO`, `WARNING`, `ERROR`",
    "secret_key": "secret for signing sessions, CSRF and links; different per service",
    "oidc_issuer": "public URL of identity (OIDC issuer, as browsers see it)",
    "jwks_url": "where services fetch identity's signing keys (internal URL)",
    "run_migrations": "migrate the database at start; `false` when migrations run as a job",
    "in_process_workers": "run the outbox relay and consumers inside `serve`",
}
OIDC_MEANINGS = {
    "client_id": "the service's OpenID Connect client id at identity",
    "client_secret": "its client secret: the same value as identity's `IDENTITY_<SERVICE>_CLIENT_SECRET`",
}


@dataclass(frozen=True)
class EnvVar:
    """One environment variable read by one service."""

    name: str
    service: str
    field: str
    default: str
    meaning: str
    secret: bool
    shared: bool  # read without the service prefix (NATS_URL, OIDC_ISSUER, ...)


def settings_class(service: str) -> type[PortalSettings]:
    """The service's Settings class from `<service>.config`."""
    module = importlib.import_module(f"{service}.config")
    found = getattr(module, "Settings", None)
    if inspect.isclass(found) and issubclass(found, PortalSettings):
        return found
    for value in vars(module).values():
        if (
            inspect.isclass(value)
            and issubclass(value, PortalSettings)
            and value is not PortalSettings
        ):
            return value
    raise LookupError(f"{service}.config has no PortalSettings subclass")


def _comments(cls: type) -> dict[str, str]:
    """Comment lines written just above each field in the class source."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, PortalSettings)):
            continue
        try:
            lines, _ = inspect.getsourcelines(klass)
        except (OSError, TypeError):
            continue
        tree = ast.parse(
            inspect.cleandoc("".join(lines)) if lines[0][:1].isspace() else "".join(lines)
        )
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node in body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                text = []
                row = node.lineno - 2
                while row >= 0 and lines[row].strip().startswith("#"):
                    text.insert(0, lines[row].strip().lstrip("#").strip())
                    row -= 1
                if text:
                    found[node.target.id] = " ".join(text)
    return found


def _alias(field: Any) -> str | None:
    alias = field.validation_alias
    if isinstance(alias, str):
        return alias
    if isinstance(alias, AliasChoices):
        first = alias.choices[0]
        return first if isinstance(first, str) else None
    return None


def _is_secret(name: str, field: Any) -> bool:
    default = field.default
    if field.annotation is SecretStr or (isinstance(default, str) and DEV_SECRET in default):
        return True
    if field.annotation in (int, float, bool):
        return False  # a number or a switch is never a secret, whatever its name says
    words = name.upper().split("_")
    return (
        words[-1] in SECRET_LAST_WORDS
        or "SECRET" in words
        or "PASSWORD" in words
        or name.endswith(SENSITIVE)
    )


def _text(value: Any) -> str:
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def settings_env(cls: type[BaseSettings], service: str, prefix: str = "") -> list[EnvVar]:
    """The variables a settings class reads, in the order of its fields."""
    prefix = prefix or str(cls.model_config.get("env_prefix", "")).upper()
    comments = _comments(cls)
    found = []
    for field_name, field in cls.model_fields.items():
        alias = _alias(field)
        name = alias.upper() if alias else f"{prefix}{field_name.upper()}"
        meaning = field.description or comments.get(field_name) or BASE_MEANINGS.get(field_name, "")
        found.append(
            EnvVar(
                name=name,
                service=service,
                field=field_name,
                default=_text(field.get_default(call_default_factory=True)),
                meaning=meaning,
                secret=_is_secret(name, field),
                shared=alias is not None and not name.startswith(prefix),
            )
        )
    return found


def _sources(service: str) -> list[Path]:
    module = importlib.import_module(service)
    return sorted(p for folder in module.__path__ for p in Path(folder).rglob("*.py"))


def oidc_client_env(service: str, sources: list[Path]) -> list[EnvVar]:
    """`<SERVICE>_OIDC_*` of services logging users in through portal_platform.oidc_client."""
    if not any(
        "portal_platform.oidc_client import OidcLogin" in p.read_text("utf-8") for p in sources
    ):
        return []
    from portal_platform.oidc_client import OidcClientSettings

    found = settings_env(OidcClientSettings, service, f"{service.upper()}_OIDC_")
    return [
        replace(v, meaning=OIDC_MEANINGS.get(v.field, v.meaning), default=v.default or service)
        for v in found
        if v.field != "env"
    ]


def direct_env(service: str, sources: list[Path], known: set[str]) -> list[EnvVar]:
    """Variables read with os.environ.get("NAME", default) / os.getenv outside the settings."""
    found: dict[str, EnvVar] = {}
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (
                isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            ):
                continue
            func = ast.unparse(node.func)
            name = node.args[0].value
            if func not in ("os.environ.get", "os.getenv", "environ.get", "getenv"):
                continue
            if not isinstance(name, str) or name in known or name in found:
                continue
            default = ""
            if len(node.args) > 1:
                arg = node.args[1]
                if isinstance(arg, ast.Constant):
                    default = str(arg.value)
                elif ast.unparse(arg) == "DEV_SECRET":
                    default = DEV_SECRET
            where = (
                "/".join(path.parts[path.parts.index("src") + 1 :])
                if "src" in path.parts
                else path.name
            )
            secret = (
                DEV_SECRET in default
                or name.split("_")[-1] in SECRET_LAST_WORDS
                or "SECRET" in name
            )
            found[name] = EnvVar(
                name, service, name.lower(), default, f"read directly in `{where}`", secret, False
            )
    return list(found.values())


def service_env(service: str) -> list[EnvVar]:
    """The variables one service reads: its Settings, the platform's OIDC client, direct reads."""
    cls = settings_class(service)
    found = settings_env(cls, service)
    sources = _sources(service)
    found += oidc_client_env(service, sources)
    found += direct_env(service, sources, {v.name for v in found})
    return found


def all_env(services: list[ServiceInfo]) -> dict[str, list[EnvVar]]:
    """Variables of every service, by service name."""
    return {s.name: service_env(s.name) for s in services}
