"""Online payments: sandbox (w trakcie → settled), Przelewy24 (sign, verify), forged notifications."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import grpc
import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import select

from billing.app import definition
from billing.charges.intake import intake
from billing.context import Context
from billing.db import outbox_table
from billing.payments.models import Payment
from billing.payments.providers.przelewy24 import NOTIFICATION_FIELDS, p24_sign
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal_platform.http import HttpServer
from portal_platform.rpc.client import call_metadata
from portal_platform.testing.backends import free_port


async def book(rt, charge, payer="P-1", gross=12_300):
    ctx = Context.from_settings(rt.settings)
    async with rt.db.transaction() as s:
        return await intake(s, ctx, [charge(payer, gross, due=(date(2099, 3, 15),))])


def stub(rt):
    ch = grpc.aio.insecure_channel(f"127.0.0.1:{rt.grpc_server.port}")
    return ch, billing_pb2_grpc.BillingServiceStub(ch)


async def wait_status(rt, payment_id, status, timeout=15.0):
    for _ in range(int(timeout / 0.1)):
        async with rt.db.sessions() as s:
            p = await s.get(Payment, payment_id)
            if p.status == status:
                return p
        await asyncio.sleep(0.1)
    raise AssertionError(f"payment not {status}")


async def test_sandbox_payment_is_in_progress_then_settled_and_the_balance_is_zero(
    start_service, issuer, charge
):
    rt = await start_service(definition, sandbox_settlement_delay_s=1.0)
    r = await book(rt, charge)
    md = call_metadata(issuer.token("u1", roles=["resident"], payers=["P-1"]))
    ch, api = stub(rt)
    async with ch, httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.settings.http_port}") as web:
        started = await api.StartOnlinePayment(
            billing_pb2.StartOnlinePaymentRequest(
                payer_id="P-1",
                charge_ids=[r.booked[0].id],
                return_url="http://portal.test/platnosci",
            ),
            metadata=md,
        )
        assert started.payment.status == "started" and started.payment.amount_grosze == 12_300
        page = await web.get(started.redirect_url.replace(str(web.base_url).rstrip("/"), ""))
        assert "Środowisko testowe — płatność symulowana" in page.text
        paid = await web.post(f"/sandbox/{started.payment.payment_id}/pay")
        assert paid.status_code == 303 and paid.headers["location"].startswith(
            "http://portal.test/platnosci"
        )
        history = await api.ListPayments(
            billing_pb2.ListPaymentsRequest(payer_id="P-1"), metadata=md
        )
        assert history.payments[0].status == "in_progress"
        open_ = await api.ListOpenCharges(
            billing_pb2.ListOpenChargesRequest(payer_id="P-1"), metadata=md
        )
        assert open_.charges[0].status == "in_progress"
        balance = await api.GetBalance(billing_pb2.GetBalanceRequest(payer_id="P-1"), metadata=md)
        assert balance.total.in_progress_grosze == 12_300 and balance.total.to_pay_grosze == 12_300
        await wait_status(rt, started.payment.payment_id, "settled")
        balance = await api.GetBalance(billing_pb2.GetBalanceRequest(payer_id="P-1"), metadata=md)
        assert balance.total.to_pay_grosze == 0 and balance.total.in_progress_grosze == 0
        # a replayed or forged notification changes nothing
        forged = json.dumps(
            {
                "sessionId": started.payment.payment_id,
                "amount": 12_300,
                "status": "settled",
                "sign": "0" * 64,
            }
        )
        assert (await web.post("/notify/sandbox", content=forged)).status_code == 400
    async with rt.db.sessions() as s:
        assert len((await s.execute(select(Payment))).scalars().all()) == 1
        subjects = (await s.execute(select(outbox_table.c.subject, outbox_table.c.payload))).all()
    by_subject: dict[str, list[bytes]] = {}
    for subject, payload in subjects:
        by_subject.setdefault(subject, []).append(payload)
    received = [
        billing_pb2.PaymentEvent.FromString(p)
        for p in by_subject["portal.billing.payment.received.v1"]
    ]
    settled = [
        billing_pb2.PaymentEvent.FromString(p)
        for p in by_subject["portal.billing.payment.settled.v1"]
    ]
    assert [(e.status, e.amount_grosze) for e in received] == [("in_progress", 12_300)]
    assert [(e.status, e.channel, list(e.charge_ids)) for e in settled] == [
        ("settled", "online", [r.booked[0].id])
    ]


async def test_resident_cannot_pay_for_someone_else(start_service, issuer, charge):
    rt = await start_service(definition)
    r = await book(rt, charge)
    ch, api = stub(rt)
    other = call_metadata(issuer.token("u2", roles=["resident"], payers=["P-2"]))
    async with ch:
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await api.StartOnlinePayment(
                billing_pb2.StartOnlinePaymentRequest(
                    payer_id="P-1", charge_ids=[r.booked[0].id], return_url="/"
                ),
                metadata=other,
            )
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
        own = call_metadata(issuer.token("u2", roles=["resident"], payers=["P-2"]))
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await api.GetDocumentFile(
                billing_pb2.GetDocumentFileRequest(document_id=r.documents[0].id), metadata=own
            )
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND


class FakeP24:
    """A local stand-in of the Przelewy24 REST API: checks signatures like the real one."""

    def __init__(self, crc: str) -> None:
        self.crc = crc
        self.verified: list[dict] = []
        app = FastAPI()

        @app.post("/api/v1/transaction/register")
        async def register(request: Request) -> dict:
            b = await request.json()
            want = p24_sign(
                {
                    "sessionId": b["sessionId"],
                    "merchantId": b["merchantId"],
                    "amount": b["amount"],
                    "currency": b["currency"],
                },
                self.crc,
            )
            assert b["sign"] == want
            return {"data": {"token": "TOKEN-" + b["sessionId"][:8]}, "responseCode": 0}

        @app.put("/api/v1/transaction/verify")
        async def verify(request: Request) -> dict:
            b = await request.json()
            want = p24_sign(
                {
                    "sessionId": b["sessionId"],
                    "orderId": b["orderId"],
                    "amount": b["amount"],
                    "currency": b["currency"],
                },
                self.crc,
            )
            self.verified.append(b)
            return {"data": {"status": "success" if b["sign"] == want else "error"}}

        self.port = free_port()
        self.server = HttpServer(app, "127.0.0.1", self.port)


async def test_przelewy24_notification_is_verified_before_booking_and_handled_once(
    start_service, issuer, charge
):
    fake = FakeP24("crc-secret")
    await fake.server.start()
    try:
        rt = await start_service(
            definition,
            payment_provider="przelewy24",
            p24_base_url=f"http://127.0.0.1:{fake.port}",
            p24_merchant_id=11111,
            p24_pos_id=11111,
            p24_crc="crc-secret",
            p24_api_key="key",
        )
        await book(rt, charge)
        md = call_metadata(issuer.token("u1", roles=["resident"], payers=["P-1"]))
        ch, api = stub(rt)
        async with (
            ch,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.settings.http_port}") as web,
        ):
            started = await api.StartOnlinePayment(
                billing_pb2.StartOnlinePaymentRequest(
                    payer_id="P-1", all_due=True, return_url="http://portal.test/platnosci"
                ),
                metadata=md,
            )
            assert started.redirect_url.endswith(
                "/trnRequest/TOKEN-" + started.payment.payment_id[:8]
            )
            fields = {
                "merchantId": 11111,
                "posId": 11111,
                "sessionId": started.payment.payment_id,
                "amount": 12_300,
                "originAmount": 12_300,
                "currency": "PLN",
                "orderId": 987654,
                "methodId": 25,
                "statement": "p24-A1",
            }
            assert set(fields) == set(NOTIFICATION_FIELDS)
            forged = {**fields, "sign": p24_sign(fields, "wrong-crc")}
            assert (await web.post("/notify/przelewy24", json=forged)).status_code == 400
            tampered = {**fields, "amount": 100, "originAmount": 100}
            tampered["sign"] = p24_sign({k: tampered[k] for k in NOTIFICATION_FIELDS}, "crc-secret")
            assert (await web.post("/notify/przelewy24", json=tampered)).status_code == 400
            async with rt.db.sessions() as s:
                assert (await s.get(Payment, started.payment.payment_id)).status == "started"
            assert fake.verified == []
            good = {**fields, "sign": p24_sign(fields, "crc-secret")}
            assert (await web.post("/notify/przelewy24", json=good)).status_code == 200
            assert (await web.post("/notify/przelewy24", json=good)).status_code == 200
            assert len(fake.verified) == 1
            balance = await api.GetBalance(
                billing_pb2.GetBalanceRequest(payer_id="P-1"), metadata=md
            )
            assert balance.total.to_pay_grosze == 0 and balance.credit_grosze == 0
    finally:
        await fake.server.stop()
