"""Fixtures of water's integration tests: the running service, tokens and set-up helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest_asyncio
from grpc import aio

from portal.common.v1 import common_pb2
from portal.module.v1 import module_pb2_grpc
from portal.water.v1 import water_pb2 as w
from portal.water.v1 import water_pb2_grpc
from portal_platform.rpc.client import call
from portal_platform.service import Runtime
from portal_platform.testing.keys import TestIssuer
from water.app import definition

GOLDEN_PRICES = [
    ("water", "m3", "4,00", "4,20"),
    ("sewage", "m3", "10,00", "10,50"),
    ("abonament_water", "month", "5,00", "5,20"),
    ("abonament_sewage", "month", "3,00", "3,10"),
]
CHANGE = date(2025, 7, 29)


def d(value: date) -> common_pb2.Date:
    return common_pb2.Date(year=value.year, month=value.month, day=value.day)


@dataclass
class Water:
    """The water service under test, called over gRPC like the gateway and admin do."""

    rt: Runtime
    channel: aio.Channel
    issuer: TestIssuer

    d = staticmethod(d)

    @property
    def stub(self) -> water_pb2_grpc.WaterServiceStub:
        return water_pb2_grpc.WaterServiceStub(self.channel)

    @property
    def module(self) -> module_pb2_grpc.ModuleServiceStub:
        return module_pb2_grpc.ModuleServiceStub(self.channel)

    @property
    def clerk(self) -> str:
        return self.issuer.token("clerk-1", roles=["clerk"])

    def resident(self, *payers: str) -> str:
        return self.issuer.token(
            f"resident-{'-'.join(payers)}", roles=["resident"], payers=list(payers)
        )

    async def call(
        self, method_name: str, request: Any, token: str | None = None, stub: Any = None
    ) -> Any:
        method = getattr(stub or self.stub, method_name)
        return await call(method, request, token=token if token is not None else self.clerk)

    async def prices(
        self,
        group: str = "household",
        rows: list[tuple[str, str, str, str]] | None = None,
        change: date = CHANGE,
    ) -> None:
        for component, unit, before, after in rows or GOLDEN_PRICES:
            await self.call(
                "AddTariffPrice",
                w.AddTariffPriceRequest(
                    group=group,
                    component=component,
                    unit=unit,
                    net_price=before,
                    valid_from=d(date(2024, 1, 1)),
                ),
            )
            if after != before:
                await self.call(
                    "AddTariffPrice",
                    w.AddTariffPriceRequest(
                        group=group,
                        component=component,
                        unit=unit,
                        net_price=after,
                        valid_from=d(change),
                    ),
                )

    async def premises(
        self,
        payer: str,
        *,
        group: str = "household",
        installed: date = date(2025, 5, 31),
        main: int = 100,
        garden: int | None = None,
        sewage: int | None = None,
        number: str = "",
    ) -> w.Premises:
        p = (
            await self.call(
                "CreatePremises",
                w.CreatePremisesRequest(
                    payer_id=payer,
                    address=f"ul. Testowa {payer}",
                    group=group,
                    sewer=True,
                    number=number,
                ),
            )
        ).premises
        for kind, initial in (("main", main), ("garden", garden), ("sewage", sewage)):
            if initial is None:
                continue
            await self.call(
                "InstallMeter",
                w.InstallMeterRequest(
                    premises_id=p.premises_id,
                    kind=kind,
                    serial=f"{kind[:2].upper()}-{payer}",
                    installed_on=d(installed),
                    initial_m3=str(initial),
                    legalised_on=d(date(2024, 1, 1)),
                ),
            )
        return (
            await self.call("GetPremises", w.GetPremisesRequest(premises_id=p.premises_id))
        ).premises

    async def submit(
        self,
        p: w.Premises,
        on: date,
        token: str | None = None,
        confirm: bool = False,
        idem: str = "",
        **values: int | str,
    ) -> Any:
        """Submit {kind: value}; residents of the payer by default."""
        meters = {m.kind: m.meter_id for m in p.meters if m.active}
        req = w.SubmitReadingRequest(
            premises_id=p.premises_id,
            reading_date=d(on),
            idempotency_token=idem,
            confirm_warnings=confirm,
            values=[
                w.ReadingValueInput(meter_id=meters[k], value_m3=str(v)) for k, v in values.items()
            ],
        )
        return await self.call(
            "SubmitReading", req, token if token is not None else self.resident(p.payer_id)
        )

    async def accept(self, *ids: str) -> w.AcceptReadingsResponse:
        return await self.call("AcceptReadings", w.AcceptReadingsRequest(reading_ids=list(ids)))

    async def outbox(self) -> list[tuple[str, bytes]]:
        from sqlalchemy import select

        from water.db import outbox_table

        async with self.rt.db.sessions() as s:
            rows = (
                await s.execute(
                    select(outbox_table.c.subject, outbox_table.c.payload).order_by(
                        outbox_table.c.id
                    )
                )
            ).all()
        return [(r.subject, r.payload) for r in rows]


@pytest_asyncio.fixture
async def water(start_service, issuer) -> Water:
    rt = await start_service(definition, in_process_workers=False)
    async with aio.insecure_channel(f"127.0.0.1:{rt.grpc_server.port}") as ch:
        yield Water(rt, ch, issuer)
