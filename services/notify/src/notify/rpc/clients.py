"""Calls to identity, water and billing with notify's service token."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from datetime import date
from typing import Any

from grpc import aio

from notify.config import Settings
from notify.mail.schemas import Recipient
from notify.reminders.service import OpenItem, ReadingDeadline
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal.common.v1 import common_pb2
from portal.identity.v1 import identity_pb2, identity_pb2_grpc
from portal.water.v1 import water_pb2, water_pb2_grpc
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


def _pb_date(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


def _date(d: common_pb2.Date) -> date | None:
    try:
        return date(d.year, d.month, d.day) if d.year else None
    except ValueError:
        return None


class GrpcSources:
    """Reading deadlines and late payers from water, unpaid amounts from billing."""

    def __init__(self, water: str, billing: str, tokens: ServiceTokens, channels: Channels) -> None:
        self.water = water
        self.billing = billing
        self.tokens = tokens
        self.channels = channels

    async def reading_deadlines(self, year: int) -> list[ReadingDeadline]:
        stub = water_pb2_grpc.WaterServiceStub(self.channels.get(self.water))
        resp = await call(
            stub.ListReadingDeadlines,
            water_pb2.ListReadingDeadlinesRequest(year=year),
            token=await self.tokens.token(),
        )
        found = []
        for d in resp.deadlines:
            day = _date(d.deadline)
            if day is not None:
                found.append(ReadingDeadline(d.group, day, d.label))
        return found

    async def payers_without_reading(self, group: str, deadline: date) -> list[str]:
        stub = water_pb2_grpc.WaterServiceStub(self.channels.get(self.water))
        resp = await call(
            stub.ListPayersWithoutReading,
            water_pb2.ListPayersWithoutReadingRequest(group=group, deadline=_pb_date(deadline)),
            token=await self.tokens.token(),
            timeout=60,
        )
        return list(resp.payer_ids)

    async def open_items(self, module: str, due_from: date, due_to: date) -> list[OpenItem]:
        stub = billing_pb2_grpc.BillingServiceStub(self.channels.get(self.billing))
        found: list[OpenItem] = []
        token = ""
        while True:
            resp = await call(
                stub.ListOpenCharges,
                billing_pb2.ListOpenChargesRequest(
                    module=module,
                    due_from=_pb_date(due_from),
                    due_to=_pb_date(due_to),
                    limit=1000,
                    page_token=token,
                ),
                token=await self.tokens.token(),
                timeout=60,
            )
            for c in resp.charges:
                due = _date(c.due_date)
                if due is not None:
                    title = c.title + (f" ({c.document_number})" if c.document_number else "")
                    found.append(OpenItem(c.payer_id, due, title, c.outstanding_grosze, c.status))
            token = resp.next_page_token
            if not token:
                return found
