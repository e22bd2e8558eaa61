"""OAuth clients from settings: gateway and admin (code + PKCE), services (client credentials)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from identity.config import Settings
from portal_platform.config import parse_address_map

USER_SCOPES = "openid profile email offline_access"


@dataclass
class Client:
    """One registered client; implements what Authlib's ClientMixin asks for."""

    client_id: str
    client_secret: str
    grant_types: tuple[str, ...]
    redirect_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()
    scope: str = USER_SCOPES
    staff_only: bool = False
    loopback_any_port: bool = False  # local mode: PORTAL_PORT_OFFSET moves the UIs (RFC 8252 §7.3)
    client_metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.client_metadata = {"post_logout_redirect_uris": list(self.post_logout_redirect_uris)}

    @property
    def is_service(self) -> bool:
        return self.grant_types == ("client_credentials",)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0] if self.redirect_uris else ""

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return "portal" if self.is_service else "openid"
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris or self._loopback_match(
            redirect_uri, self.redirect_uris
        )

    def _loopback_match(self, uri: str, registered: tuple[str, ...]) -> bool:
        """Same scheme, loopback host and path as a registered URI, any port (local mode only)."""
        if not self.loopback_any_port:
            return False
        parts = urlsplit(uri)
        if (
            parts.scheme != "http"
            or parts.hostname not in ("127.0.0.1", "localhost")
            or parts.query
        ):
            return False
        return any(
            urlsplit(r).path == parts.path and urlsplit(r).hostname == parts.hostname
            for r in registered
        )

    def allows_logout_uri(self, uri: str) -> bool:
        return uri in self.post_logout_redirect_uris or self._loopback_match(
            uri, self.post_logout_redirect_uris
        )

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(self.client_secret.encode(), (client_secret or "").encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


def _uris(value: str) -> tuple[str, ...]:
    return tuple(u.strip() for u in value.split(",") if u.strip())


def load_clients(settings: Settings) -> dict[str, Client]:
    user_grants = ("authorization_code", "refresh_token")
    clients = {
        "gateway": Client(
            "gateway",
            settings.gateway_client_secret,
            user_grants,
            _uris(settings.gateway_redirect_uris),
            _uris(settings.gateway_logout_uris),
            loopback_any_port=settings.is_local,
        ),
        "admin": Client(
            "admin",
            settings.admin_client_secret,
            user_grants,
            _uris(settings.admin_redirect_uris),
            _uris(settings.admin_logout_uris),
            staff_only=True,
            loopback_any_port=settings.is_local,
        ),
    }
    for name, secret in parse_address_map(settings.service_clients).items():
        if name not in clients:
            clients[name] = Client(name, secret, ("client_credentials",), scope="portal")
    return clients
