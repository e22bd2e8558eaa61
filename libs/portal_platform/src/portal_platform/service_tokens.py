"""Access tokens for calls between services (OAuth 2 client credentials against identity)."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

import httpx

from portal_platform.errors import Unauthenticated


class ServiceTokens(Protocol):
    """Something that hands out a current bearer token for service-to-service gRPC calls."""

    async def token(self) -> str: ...


class StaticServiceTokens:
    """A fixed token (tests, or a token injected by the platform's secret store)."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def token(self) -> str:
        return self._token


class ClientCredentialsTokens:
    """Fetches and caches a token from identity's token endpoint (grant client_credentials)."""

    def __init__(
        self, token_url: str, client_id: str, client_secret: str, *, scope: str = "portal"
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self._token = ""
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if self._token and time.time() < self._expires - 30:
            return self._token
        async with self._lock:
            if self._token and time.time() < self._expires - 30:
                return self._token
            async with httpx.AsyncClient(timeout=10) as client:
                resp = await client.post(
                    self.token_url,
                    data={"grant_type": "client_credentials", "scope": self.scope},
                    auth=(self.client_id, self.client_secret),
                )
            if resp.status_code != 200:
                raise Unauthenticated(f"identity refused the service token ({resp.status_code})")
            body = resp.json()
            self._token = str(body["access_token"])
            self._expires = time.time() + float(body.get("expires_in", 300))
            return self._token
