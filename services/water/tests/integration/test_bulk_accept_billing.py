"""Bulk accept: invoices requested through the outbox and booked once in billing."""

from __future__ import annotations

import asyncio
from datetime import date

from grpc import aio
from sqlalchemy import func, select

from billing.app import definition as billing_definition
from billing.charges.models import Charge
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal_platform.rpc.client import call
from water.app import definition as water_definition


async def _wait(predicate, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def test_bulk_accept_books_every_invoice_once_in_billing(start_service, issuer, water):
    billing = await start_service(billing_definition)
    live = await start_service(water_definition)  # with its relay running
    water.channel = aio.insecure_channel(f"127.0.0.1:{live.grpc_server.port}")
    water.rt = live
    await water.prices()
    ids = []
    for i in range(60):
        p = await water.premises(f"P-B{i:03d}")
        ids.append((await water.submit(p, date(2025, 8, 31), main=100 + i)).reading.reading_id)
    done = await water.accept(*ids, ids[0])
    assert len(done.accepted_ids) == 60 and not done.failures

    async def booked() -> bool:
        async with billing.db.sessions() as s:
            n = (
                await s.execute(
                    select(func.count()).select_from(Charge).where(Charge.module == "water")
                )
            ).scalar_one()
        return n == 60

    await _wait(booked)
    async with aio.insecure_channel(f"127.0.0.1:{billing.grpc_server.port}") as ch:
        got = await call(
            billing_pb2_grpc.BillingServiceStub(ch).ListCharges,
            billing_pb2.ListChargesRequest(payer_id="P-B005", module="water"),
            token=issuer.token("r", roles=["resident"], payers=["P-B005"]),
        )
    [charge] = got.charges
    assert charge.idempotency_key == ids[5]
    assert [x.quantity for x in charge.lines if x.unit == "m3"] == ["3.15", "1.85", "3.15", "1.85"]
    again = await water.accept(*ids[:3])
    assert not again.accepted_ids and len(again.failures) == 3
    await water.channel.close()
