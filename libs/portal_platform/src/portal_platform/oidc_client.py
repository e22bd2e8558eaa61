"""OIDC login for the gateway and admin: Authlib's Starlette client against identity.

Holds the login session (refresh token, expiry) next to the "user" dict the apps keep in
their session, refreshes the access token before it expires (picking up a new account
state or payer links), and logs out at identity (RP-initiated logout).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.integrations.starlette_client import OAuth
from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.requests import Request

from portal_platform.auth import Principal, TokenVerifier
from portal_platform.config import DEV_ENVS, DEV_SECRET
from portal_platform.logging import get_logger

log = get_logger(__name__)

SESSION_KEY = "oidc"
SCOPES = "openid profile email offline_access"
REFRESH_MARGIN_S = 30


class OidcClientSettings(BaseSettings):
    """`<SERVICE>_OIDC_CLIENT_ID` / `<SERVICE>_OIDC_CLIENT_SECRET` (dev secret only locally)."""

    model_config = SettingsConfigDict(extra="ignore")

    env: str = "local"
    client_id: str = ""
    client_secret: str = DEV_SECRET

    @model_validator(mode="after")
    def _refuse_dev_secret(self) -> OidcClientSettings:
        if self.env not in DEV_ENVS and self.client_secret == DEV_SECRET:
            raise ValueError("OIDC client secret has the development default; set a real secret")
        return self


def client_settings(service: str, env: str) -> OidcClientSettings:
    cls = type(
        f"{service.title()}OidcSettings",
        (OidcClientSettings,),
        {"model_config": SettingsConfigDict(env_prefix=f"{service.upper()}_OIDC_", extra="ignore")},
    )
    settings: OidcClientSettings = cls(env=env)
    if not settings.client_id:
        settings.client_id = service
    return settings


class OidcLogin:
    """One registered identity client of an app (stored on `app.state.oidc`)."""

    def __init__(self, *, issuer: str, service: str, env: str, verifier: TokenVerifier) -> None:
        self.issuer = issuer.rstrip("/")
        self.settings = client_settings(service, env)
        self.verifier = verifier
        self.oauth = OAuth()
        self.oauth.register(
            name="identity",
            client_id=self.settings.client_id,
            client_secret=self.settings.client_secret,
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPES, "code_challenge_method": "S256"},
        )

    @property
    def client(self) -> Any:
        return self.oauth.identity

    async def redirect_to_login(self, request: Request, callback_url: str, lang: str = "") -> Any:
        """The redirect to identity's /authorize (state, nonce and PKCE kept in the session)."""
        extra = {"ui_locales": lang} if lang else {}
        return await self.client.authorize_redirect(
            request, callback_url, nonce=secrets.token_urlsafe(16), **extra
        )

    async def finish_login(self, request: Request) -> tuple[Principal, str]:
        """Exchange the code, verify the access token, remember the refresh token."""
        token = await self.client.authorize_access_token(request)
        principal = await self.verifier.verify(token["access_token"])
        self._remember(request, token)
        return principal, str(token["access_token"])

    def _remember(self, request: Request, token: dict[str, Any]) -> None:
        request.session[SESSION_KEY] = {
            "refresh_token": token.get("refresh_token", ""),
            "expires_at": int(time.time()) + int(token.get("expires_in", 300)),
            "checked_at": int(time.time()),
        }

    async def refresh(self, request: Request) -> tuple[Principal, str] | None:
        """A fresh access token from the refresh token, or None when identity refuses."""
        state = request.session.get(SESSION_KEY) or {}
        refresh_token = state.get("refresh_token")
        if not refresh_token:
            return None
        metadata = await self.client.load_server_metadata()
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                resp = await http.post(
                    metadata["token_endpoint"],
                    data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                    auth=(self.settings.client_id, self.settings.client_secret),
                )
        except httpx.HTTPError as exc:
            log.warning("token refresh failed", error=str(exc))
            return None
        if resp.status_code != 200:
            return None
        token = resp.json()
        principal = await self.verifier.verify(token["access_token"])
        self._remember(request, token)
        return principal, str(token["access_token"])

    def needs_refresh(self, request: Request, *, recheck_after_s: int | None = None) -> bool:
        """True when the token expires soon (or was last checked longer ago than asked)."""
        state = request.session.get(SESSION_KEY) or {}
        now = time.time()
        if now > float(state.get("expires_at", 0)) - REFRESH_MARGIN_S:
            return True
        return (
            recheck_after_s is not None
            and now - float(state.get("checked_at", 0)) > recheck_after_s
        )

    async def revoke(self, request: Request) -> None:
        """Revoke the session's refresh token at identity (best effort: logout goes on)."""
        refresh_token = (request.session.get(SESSION_KEY) or {}).get("refresh_token")
        if not refresh_token:
            return
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                await http.post(
                    f"{self.issuer}/revoke",
                    data={"token": refresh_token, "token_type_hint": "refresh_token"},
                    auth=(self.settings.client_id, self.settings.client_secret),
                )
        except httpx.HTTPError as exc:
            log.warning("token revocation failed", error=str(exc))

    def logout_url(self, post_logout_redirect_uri: str) -> str:
        """identity's end-session URL for this client (no confirmation needed)."""
        query = urlencode(
            {
                "client_id": self.settings.client_id,
                "post_logout_redirect_uri": post_logout_redirect_uri,
            }
        )
        return f"{self.issuer}/end-session?{query}"


async def current_session_user(
    request: Request,
    build: Callable[[Principal, str], dict[str, Any]],
    *,
    recheck_after_s: int | None = None,
    on_refresh: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
) -> bool:
    """Refresh the session's user when due; False when the login is no longer valid."""
    login: OidcLogin | None = getattr(request.app.state, "oidc", None)
    if login is None or SESSION_KEY not in request.session:
        return True  # a session made without OIDC (tests overriding the dependency)
    if not login.needs_refresh(request, recheck_after_s=recheck_after_s):
        return True
    refreshed = await login.refresh(request)
    if refreshed is None:
        request.session.pop("user", None)
        request.session.pop(SESSION_KEY, None)
        return False
    user = build(*refreshed)
    request.session["user"] = user
    if on_refresh:
        await on_refresh(user)
    return True
