"""Helpers shared by the property-tax tests: a token-sending client, rates, events."""

from __future__ import annotations

from datetime import date

import grpc
import pytest
from sqlalchemy import select

from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2
from portal.property_tax.v1 import property_tax_pb2 as pb
from portal.property_tax.v1 import property_tax_pb2_grpc
from portal_platform.rpc.client import call_metadata
from property_tax.app import definition
from property_tax.db import outbox_table

YEAR = 2027
# a council's rates for YEAR (grosze per unit; structures: percent) and the maxima announced
RATES = {"building_residential": 119, "land_other": 47, "building_other": 700,
         "building_business": 2500, "land_business": 120, "structure": 2}  # fmt: skip
MAXIMA = {"building_residential": 131, "land_other": 81, "building_other": 1250,
          "building_business": 3700, "land_business": 152, "structure": 2}  # fmt: skip


def pb_date(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


def py_date(d: common_pb2.Date) -> date:
    return date(d.year, d.month, d.day)


class TaxClient:
    """A PropertyTaxService stub that sends a token with every call."""

    def __init__(self, port: int, token: str) -> None:
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        self.stub = property_tax_pb2_grpc.PropertyTaxServiceStub(self.channel)
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
    """The charge requests property tax wrote to its outbox, oldest first."""
    async with rt.db.sessions() as s:
        rows = (
            await s.execute(
                select(outbox_table.c.subject, outbox_table.c.payload).order_by(outbox_table.c.id)
            )
        ).all()
    return [
        billing_pb2.ChargeRequested.FromString(r.payload)
        for r in rows
        if r.subject == "portal.charges.property_tax.requested.v1"
    ]


async def setup_year(client: TaxClient, year: int = YEAR) -> None:
    """The maxima the Minister announced and the council's rates, as a clerk enters them."""
    for category, value in MAXIMA.items():
        by_value = category == "structure"
        await client.SetMaximum(
            pb.SetMaximumRequest(year=year, category=category,
                                 max_grosze=0 if by_value else value,
                                 max_percent=str(value) if by_value else "", source="M.P. test")
        )  # fmt: skip
    for category, value in RATES.items():
        by_value = category == "structure"
        await client.SetRate(
            pb.SetRateRequest(rate=pb.Rate(year=year, category=category,
                                           rate_grosze=0 if by_value else value,
                                           rate_percent=str(value) if by_value else "",
                                           resolution="Uchwała nr X/1/2026"))
        )  # fmt: skip


def person(payer_id: str, name: str = "Jan Kowalski") -> pb.Taxpayer:
    return pb.Taxpayer(
        payer_id=payer_id, kind="person", name=name, address="Ludwin 12, 21-075 Ludwin"
    )


def house(area: str = "120", land: str = "800") -> list[pb.TaxObject]:
    return [
        pb.TaxObject(category="building_residential", location="Ludwin 12, dz. 123/4", area=area),
        pb.TaxObject(category="land_other", location="Ludwin 12, dz. 123/4", area=land),
    ]


async def enter(client: TaxClient, payer_id: str, objects, event: date, **kw) -> pb.FilingResponse:
    """A clerk enters an IN-1 from paper (confirmed at once)."""
    return await client.FileInformation(
        pb.FileInformationRequest(payer_id=payer_id, event_date=pb_date(event), objects=objects,
                                  filed_on=pb_date(event), **kw)
    )  # fmt: skip


@pytest.fixture
def clerk_token(issuer) -> str:
    return issuer.token("clerk-1", roles=["clerk"])


@pytest.fixture
async def tax(start_service, clerk_token):
    rt = await start_service(definition, in_process_workers=False)
    client = TaxClient(rt.grpc_server.port, clerk_token)
    await setup_year(client)
    yield rt, client
    await client.close()
