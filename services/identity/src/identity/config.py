"""Identity settings (env prefix IDENTITY_)."""

from __future__ import annotations

from pydantic import model_validator

from portal_platform.config import (
    DEV_SECRET,
    PortalSettings,
    parse_address_map,
    service_settings_config,
)

SERVICE_CLIENTS_DEV = ",".join(
    f"{name}={DEV_SECRET}"
    for name in (
        "billing",
        "water",
        "waste",
        "notify",
        "payments",
        "documents",
        "property_tax",
        "gateway-service",
    )
)


class Settings(PortalSettings):
    model_config = service_settings_config("identity")

    database_url: str = "sqlite+aiosqlite:///var/identity.db"
    grpc_port: int = 50051
    http_port: int = 8002
    # OIDC clients: the resident UI and the back office (confidential clients, PKCE required)
    gateway_client_secret: str = DEV_SECRET
    gateway_redirect_uris: str = (
        "http://127.0.0.1:8000/auth/callback,http://localhost:8000/auth/callback"
    )
    gateway_logout_uris: str = "http://127.0.0.1:8000/wylogowano,http://localhost:8000/wylogowano"
    gateway_url: str = "http://127.0.0.1:8000"
    admin_client_secret: str = DEV_SECRET
    admin_redirect_uris: str = (
        "http://127.0.0.1:8001/auth/callback,http://localhost:8001/auth/callback"
    )
    admin_logout_uris: str = "http://127.0.0.1:8001/wylogowano,http://localhost:8001/wylogowano"
    # services using client_credentials: name=secret,...
    service_clients: str = SERVICE_CLIENTS_DEV
    access_token_ttl_s: int = 300
    refresh_token_ttl_s: int = 8 * 3600
    service_token_ttl_s: int = 600
    code_ttl_s: int = 120
    activation_ttl_h: int = 48
    reset_ttl_min: int = 60
    # login throttling: per account (lockout) and per client address (sliding window)
    lockout_after_failures: int = 20
    lockout_minutes: int = 15
    address_max_failures: int = 60
    address_window_minutes: int = 15
    # argon2id, OWASP's recommended minimum (19 MiB, t=2, p=1); raise on faster hardware
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19456
    argon2_parallelism: int = 1
    session_max_age_s: int = 8 * 3600
    # a password set by someone else is replaced within this time after the login, else log in again
    password_change_window_min: int = 15
    office_room: str = "pokój nr 2"
    office_hours: str = "pon.–pt. 7:30–15:30"

    @model_validator(mode="after")
    def _refuse_dev_service_secrets(self) -> Settings:
        if not self.is_local:
            for name, secret in parse_address_map(self.service_clients).items():
                if secret == DEV_SECRET:
                    raise ValueError(f"service_clients: {name} has the development secret")
        return self

    @property
    def issuer(self) -> str:
        return self.oidc_issuer.rstrip("/")
