"""Settings helpers: one `Settings` class per service with the `<SERVICE>_` env prefix."""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from portal_platform.errors import StartupError

DEV_SECRET = "dev-insecure-change-me"
DEV_ENVS = ("local", "test")

Environment = Literal["local", "test", "production"]


class PortalSettings(BaseSettings):
    """Fields every service has; subclasses set `model_config` with their env prefix."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore", populate_by_name=True)

    env: Environment = Field(default="local", validation_alias="PORTAL_ENV")
    nats_url: str = Field(default="nats://127.0.0.1:4322", validation_alias="NATS_URL")
    nats_stream_replicas: int = Field(
        default=1, ge=1, le=5, validation_alias="NATS_STREAM_REPLICAS"
    )
    database_url: str = "sqlite+aiosqlite:///var/portal.db"
    grpc_port: int = 0
    http_port: int = 0
    bind_host: str = "127.0.0.1"
    log_json: bool = False
    log_level: str = "INFO"
    secret_key: str = DEV_SECRET
    oidc_issuer: str = Field(default="http://127.0.0.1:8002", validation_alias="OIDC_ISSUER")
    jwks_url: str = Field(default="", validation_alias="OIDC_JWKS_URL")
    run_migrations: bool = True
    in_process_workers: bool = True

    @model_validator(mode="after")
    def _refuse_dev_secrets(self) -> PortalSettings:
        if self.env not in DEV_ENVS:
            for name, value in self.model_dump().items():
                if isinstance(value, str) and value == DEV_SECRET:
                    raise ValueError(
                        f"{name} has the development default; set a real secret for env={self.env}"
                    )
        return self

    @property
    def is_local(self) -> bool:
        return self.env in DEV_ENVS


def service_settings_config(service: str) -> SettingsConfigDict:
    """Settings config for a service: env prefix `<SERVICE>_`, e.g. WATER_DATABASE_URL."""
    return SettingsConfigDict(
        env_prefix=f"{service.upper()}_", extra="ignore", populate_by_name=True
    )


T = TypeVar("T", bound=PortalSettings)


def load_settings(cls: type[T]) -> T:
    """Instantiate settings, turning validation errors into one clear StartupError line."""
    try:
        return cls()
    except Exception as exc:  # pydantic ValidationError: make it one readable line
        errors = getattr(exc, "errors", None)
        if callable(errors):
            parts = [
                f"{'.'.join(str(x) for x in e['loc']) or 'settings'}: {e['msg']}" for e in errors()
            ]
            raise StartupError("invalid configuration: " + "; ".join(parts)) from None
        raise StartupError(f"invalid configuration: {exc}") from None


def parse_address_map(value: str) -> dict[str, str]:
    """Parse `name=address,name=address` (the form of *_SERVICES and *_MODULES variables)."""
    result: dict[str, str] = {}
    for item in value.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, address = item.partition("=")
        if not sep or not name.strip() or not address.strip():
            raise ValueError(f"expected name=address, got {item!r}")
        result[name.strip()] = address.strip()
    return result
