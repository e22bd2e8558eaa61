"""Calls to identity, water and billing with notify's service token."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

from grpc import aio

from notify.config import Settings
from notify.mail.schemas import Recipient
from portal.identity.v1 import identity_pb2, identity_pb2_grpc
from portal_platform.rpc.client import call, channel
from portal_platform.service_tokens import (
    ClientCredentialsTokens,
    ServiceTokens,
    StaticServiceTokens,
)

CACHE_TTL_S = 60.0
CONCURRENCY = 16


def service_tokens(settings: Settings) -> ServiceTokens:
    """A static token when one is configured (tests, secret store), else client credentials."""
    if settings.service_token:
        return StaticServiceTokens(settings.service_token)
    token_url = settings.service_token_url or f"{settings.oidc_issuer.rstrip('/')}/token"
    return ClientCredentialsTokens(
        token_url, settings.service_client_id, settings.service_client_secret
    )


class Channels:
    """One channel per address for the life of the process."""

    def __init__(self) -> None:
        self._channels: dict[str, aio.Channel] = {}

    def get(self, address: str) -> aio.Channel:
        if address not in self._channels:
            self._channels[address] = channel(address)
        return self._channels[address]

    async def close(self) -> None:
        for ch in self._channels.values():
            await ch.close()
        self._channels.clear()


def to_recipient(account: Any) -> Recipient:
    return Recipient(
        email=account.email,
        name=account.display_name,
        language=account.language if account.language in ("pl", "en") else "pl",
        account_id=account.account_id,
        state=account.state,
    )


class IdentityDirectory:
    """The accounts linked to payers, from identity (cached for a minute)."""

    def __init__(self, address: str, tokens: ServiceTokens, channels: Channels) -> None:
        self.address = address
        self.tokens = tokens
        self.channels = channels
        self._cache: dict[str, tuple[float, list[Recipient]]] = {}

    async def accounts_of_payer(self, payer_id: str) -> list[Recipient]:
        hit = self._cache.get(payer_id)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        stub = identity_pb2_grpc.IdentityServiceStub(self.channels.get(self.address))
        resp = await call(
            stub.ListAccountsOfPayer,
            identity_pb2.ListAccountsOfPayerRequest(payer_id=payer_id),
            token=await self.tokens.token(),
        )
        found = [to_recipient(a) for a in resp.accounts]
        self._cache[payer_id] = (time.monotonic() + CACHE_TTL_S, found)
        return found

    async def accounts_of_payers(self, payer_ids: Iterable[str]) -> dict[str, list[Recipient]]:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(pid: str) -> tuple[str, list[Recipient]]:
            async with gate:
                return pid, await self.accounts_of_payer(pid)

        return dict(await asyncio.gather(*(one(p) for p in sorted(set(payer_ids)))))
