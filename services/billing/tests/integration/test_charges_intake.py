"""The charges intake: a dummy module publishes ChargeRequested; billing books each once."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest
from sqlalchemy import func, select

from billing.app import definition
from billing.charges.models import Charge, ChargeLine
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal.common.v1 import common_pb2
from portal_platform.messaging.bus import CHARGES_STREAM, Bus
from portal_platform.messaging.outbox import stamp
from portal_platform.rpc.client import call_metadata

DUMMY_MODULE = "dummy"  # a module that exists only in this test


def dummy_charge(payer: str, key: str, gross: int = 12300) -> billing_pb2.ChargeRequested:
    net = round(gross / 1.23)
    ev = billing_pb2.ChargeRequested(
        payer_id=payer,
        module=DUMMY_MODULE,
        idempotency_key=key,
        document_kind=billing_pb2.DOCUMENT_KIND_FEE_NOTICE,
        title=f"Opłata testowa {key}",
        lines=[
            billing_pb2.ChargeLine(
                description="Usługa testowa",
                quantity="1",
                unit="szt.",
                unit_net_grosze=net,
                net_grosze=net,
                vat_rate="23",
                vat_grosze=gross - net,
                gross_grosze=gross,
            )
        ],
        due_dates=[common_pb2.Date(year=2027, month=3, day=15)],
    )
    stamp(ev, DUMMY_MODULE)
    return ev


async def publish(bus: Bus, ev: billing_pb2.ChargeRequested, *, msg_id: str | None = None) -> None:
    await bus.publish(
        f"portal.charges.{DUMMY_MODULE}.requested.v1",
        ev.SerializeToString(),
        msg_id=msg_id or ev.meta.event_id,
    )


async def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def count_charges(rt) -> int:
    async with rt.db.sessions() as s:
        return int((await s.execute(select(func.count()).select_from(Charge))).scalar_one())


async def test_charges_booked_exactly_once_even_when_delivered_twice(
    start_service, nats_url, issuer
):
    rt = await start_service(definition)
    bus = await Bus.connect(nats_url, name="dummy-module")
    await bus.ensure_stream(CHARGES_STREAM)
    try:
        events = [dummy_charge("P-0001", f"k{i}", 1000 + i) for i in range(20)]
        for ev in events:
            await publish(bus, ev)
        # The same event delivered again (JetStream dedup window bypassed with another msg id)
        # and a second event carrying an idempotency key already booked.
        await publish(bus, events[0], msg_id=f"redelivery-{uuid.uuid4()}")
        again = dummy_charge("P-0001", "k1", 1001)
        await publish(bus, again)

        await wait_for(lambda: _processed(rt, 22))
        assert await count_charges(rt) == 20
        async with rt.db.sessions() as s:
            lines = (await s.execute(select(func.count()).select_from(ChargeLine))).scalar_one()
        assert lines == 20

        async with grpc.aio.insecure_channel(f"127.0.0.1:{rt.grpc_server.port}") as ch:
            stub = billing_pb2_grpc.BillingServiceStub(ch)
            token = issuer.token("resident-1", roles=["resident"], payers=["P-0001"])
            resp = await stub.ListCharges(
                billing_pb2.ListChargesRequest(payer_id="P-0001"), metadata=call_metadata(token)
            )
            assert len(resp.charges) == 20
            assert {c.idempotency_key for c in resp.charges} == {f"k{i}" for i in range(20)}
            k5 = next(c for c in resp.charges if c.idempotency_key == "k5")
            assert k5.gross_grosze == 1005
            assert k5.lines[0].net_grosze + k5.lines[0].vat_grosze == 1005
            assert (k5.due_dates[0].year, k5.due_dates[0].month, k5.due_dates[0].day) == (
                2027,
                3,
                15,
            )

            other = issuer.token("resident-2", roles=["resident"], payers=["P-0002"])
            with pytest.raises(grpc.aio.AioRpcError) as denied:
                await stub.ListCharges(
                    billing_pb2.ListChargesRequest(payer_id="P-0001"), metadata=call_metadata(other)
                )
            assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED

            with pytest.raises(grpc.aio.AioRpcError) as anonymous:
                await stub.ListCharges(billing_pb2.ListChargesRequest(payer_id="P-0001"))
            assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        await bus.close()


async def _processed(rt, n: int) -> bool:
    return sum(c.processed for c in rt.consumers) + sum(c.dead_lettered for c in rt.consumers) >= n


async def test_malformed_event_goes_to_dead_letter_and_does_not_block(start_service, nats_url):
    rt = await start_service(definition)
    bus = await Bus.connect(nats_url, name="dummy-module")
    await bus.ensure_stream(CHARGES_STREAM)
    try:
        dlq = await bus.pull_consumer(
            __import__("portal_platform.messaging.bus", fromlist=["DLQ_STREAM"]).DLQ_STREAM,
            "test__dlq",
            ("portal.dlq.billing",),
        )
        await bus.publish(
            f"portal.charges.{DUMMY_MODULE}.requested.v1", b"\xff\xfenot protobuf", msg_id="bad-1"
        )
        invalid = dummy_charge("", "no-payer")  # well-formed protobuf, invalid content
        await publish(bus, invalid)
        good = dummy_charge("P-0003", "after-bad")
        await publish(bus, good)

        await wait_for(lambda: _count_is(rt, 1))
        dead = []
        for _ in range(20):
            dead += await dlq.fetch(10, timeout=0.5)
            if len(dead) >= 2:
                break
        assert len(dead) == 2
        reasons = sorted(m.headers["Portal-Error"] for m in dead)
        assert any("payload is not a ChargeRequested" in r for r in reasons)
        assert any("płatnika" in r for r in reasons)
        assert all(
            m.headers["Portal-Original-Subject"].startswith("portal.charges.dummy") for m in dead
        )
    finally:
        await bus.close()


async def _count_is(rt, n: int) -> bool:
    return await count_charges(rt) == n
