"""Helpers shared by the waste tests."""

from __future__ import annotations

from datetime import date

import grpc
import pytest
from sqlalchemy import select

from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2
from portal.waste.v1 import waste_pb2, waste_pb2_grpc
from portal_platform.rpc.client import call_metadata
from waste.db import outbox_table


def pb_date(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


class WasteClient:
    """A WasteService stub that sends a token with every call."""

    def __init__(self, port: int, token: str) -> None:
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        self.stub = waste_pb2_grpc.WasteServiceStub(self.channel)
        self.token = token

    def __getattr__(self, name: str):
        method = getattr(self.stub, name)

        async def invoke(request, *, token: str | None = None):
            return await method(request, metadata=call_metadata(token or self.token), timeout=60)

        return invoke

    async def close(self) -> None:
        await self.channel.close()


def field_of(err: grpc.aio.AioRpcError) -> str:
    return dict(err.trailing_metadata() or ()).get("portal-error-field", "")


async def charge_events(rt) -> list[billing_pb2.ChargeRequested]:
    """The charge requests waste has written to its outbox, oldest first."""
    async with rt.db.sessions() as s:
        rows = (
            await s.execute(
                select(outbox_table.c.subject, outbox_table.c.payload).order_by(outbox_table.c.id)
            )
        ).all()
    return [
        billing_pb2.ChargeRequested.FromString(r.payload)
        for r in rows
        if r.subject == "portal.charges.waste.requested.v1"
    ]


@pytest.fixture
def clerk_token(issuer) -> str:
    return issuer.token("clerk-1", roles=["clerk"])


async def setup_rates(client: WasteClient, year: int, **overrides: int) -> None:
    rates = {"per_resident": (3700, 200), "per_water_m3": (1250, 0), "cottage": (21000, 0)}
    for method, (rate, compost) in rates.items():
        await client.SetRate(
            waste_pb2.SetRateRequest(
                rate=waste_pb2.Rate(
                    year=year,
                    method=method,
                    valid_from_month=1,
                    rate_grosze=overrides.get(method, rate),
                    compost_discount_grosze=compost,
                    non_sorting_multiplier="2",
                )
            )
        )
