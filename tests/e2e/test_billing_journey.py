"""Billing end to end: a dummy module's charge → invoice PDF for its owner only → sandbox
payment "w trakcie" → settled → nothing owed; a statement imported twice pays once.

Real billing (gRPC, HTTP sandbox, NATS intake, database), a dummy module service answering
DescribeModule, and the gateway app driven over HTTP as the resident.
"""

from __future__ import annotations

import asyncio
import re

import grpc
import httpx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from billing.app import definition as billing
from billing.db import outbox_table
from gateway.app import create_app
from gateway.app import definition as gateway
from gateway.auth import CurrentUser, require_verified
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal.common.v1 import common_pb2
from portal.module.v1 import module_pb2, module_pb2_grpc
from portal_platform.messaging.bus import CHARGES_STREAM, Bus
from portal_platform.messaging.outbox import stamp
from portal_platform.rpc.client import call_metadata
from portal_platform.rpc.server import Registration, start_server
from portal_platform.service import Runtime
from portal_platform.testing.backends import free_port

PAYER, OTHER = "P-BIL-1", "P-BIL-2"
pytestmark = pytest.mark.timeout(180)


class DummyModule(module_pb2_grpc.ModuleServiceServicer):
    async def DescribeModule(self, request, context):
        return module_pb2.DescribeModuleResponse(
            key="dummy", label_pl="Testowy", label_en="Test", order=5, section_pl="Opłata testowa"
        )

    async def SummarisePayer(self, request, context):
        return module_pb2.SummarisePayerResponse()


def charge(key: str, gross: int) -> billing_pb2.ChargeRequested:
    ev = billing_pb2.ChargeRequested(
        payer_id=PAYER,
        module="dummy",
        idempotency_key=key,
        document_kind=billing_pb2.DOCUMENT_KIND_INVOICE,
        title=f"Usługa testowa {key}",
        lines=[
            billing_pb2.ChargeLine(
                description="Usługa",
                quantity="1",
                unit="szt.",
                unit_net_grosze=gross - gross * 8 // 108,
                net_grosze=gross - gross * 8 // 108,
                vat_rate="8",
                vat_grosze=gross * 8 // 108,
                gross_grosze=gross,
            )
        ],
        due_dates=[common_pb2.Date(year=2099, month=3, day=15)],
        payer=billing_pb2.PayerDetails(name="Zofia Żółkiewska", address="Ludwin 7, 21-075 Ludwin"),
    )
    stamp(ev, "dummy")
    return ev


def resident(token: str, payers: tuple[str, ...]) -> CurrentUser:
    return CurrentUser(
        subject="res",
        name="Zofia",
        email="z@example.pl",
        state="verified",
        access_token=token,
        roles=("resident",),
        payers=payers,
    )


async def eventually(check, timeout: float = 30.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.2)


def form_fields(html: str, action: str, contains: str = "") -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    for form in soup.find_all("form", action=action):
        fields = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
        if contains in fields.values() or not contains:
            return fields
    raise AssertionError(f"no form {action} with {contains!r}")


@pytest.fixture
async def system(start_service, nats_url, issuer):
    billing_rt = await start_service(billing, sandbox_settlement_delay_s=1.5)
    module_server = await start_server(
        [
            Registration(
                module_pb2_grpc.add_ModuleServiceServicer_to_server,
                DummyModule(),
                "portal.module.v1.ModuleService",
            )
        ],
        host="127.0.0.1",
        port=free_port(),
        verifier=billing_rt.verifier,
    )
    settings = gateway.settings_cls.model_validate(
        {
            "env": "test",
            "grpc_services": f"billing=127.0.0.1:{billing_rt.grpc_server.port}",
            "http_services": f"billing=http://127.0.0.1:{billing_rt.settings.http_port}/healthz",
            "PORTAL_MODULES": f"dummy=127.0.0.1:{module_server.port}",
        }
    )
    app = create_app(Runtime(gateway, settings))
    token = issuer.token("res", roles=["resident"], payers=[PAYER])
    app.dependency_overrides[require_verified] = lambda: resident(token, (PAYER,))
    bus = await Bus.connect(nats_url, name="dummy-module")
    await bus.ensure_stream(CHARGES_STREAM)
    web = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test")
    sandbox = httpx.AsyncClient(base_url=f"http://127.0.0.1:{billing_rt.settings.http_port}")
    ch = grpc.aio.insecure_channel(f"127.0.0.1:{billing_rt.grpc_server.port}")
    yield {
        "rt": billing_rt,
        "app": app,
        "web": web,
        "sandbox": sandbox,
        "bus": bus,
        "issuer": issuer,
        "api": billing_pb2_grpc.BillingServiceStub(ch),
        "token": token,
        "clerk": call_metadata(issuer.token("clerk", roles=["clerk"])),
    }
    await ch.close()
    await web.aclose()
    await sandbox.aclose()
    await bus.close()
    await module_server.stop(0)


async def publish(bus: Bus, ev: billing_pb2.ChargeRequested) -> None:
    await bus.publish(
        "portal.charges.dummy.requested.v1", ev.SerializeToString(), msg_id=ev.meta.event_id
    )


async def test_charge_invoice_sandbox_payment_and_statement(system):
    s = system
    api, web, md = s["api"], s["web"], call_metadata(s["token"])
    await publish(s["bus"], charge("inv-1", 24_600))

    async def booked():
        r = await api.ListCharges(billing_pb2.ListChargesRequest(payer_id=PAYER), metadata=md)
        return r.charges if r.charges else None

    (c1,) = await eventually(booked)

    # Należności: a section for the dummy module, from its DescribeModule
    page = await web.get("/naleznosci")
    assert page.status_code == 200
    assert "Opłata testowa" in page.text and "Usługa testowa inv-1" in page.text
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("tr", attrs={"data-charge": c1.charge_id}).find(
        "td", attrs={"data-status": "open"}
    )

    # Dokumenty: the invoice PDF for its owner; someone else gets "not found"
    docs = await web.get("/dokumenty")
    link = BeautifulSoup(docs.text, "html.parser").find(
        "a", href=re.compile(r"^/dokumenty/.+/pobierz$")
    )["href"]
    pdf = await web.get(link)
    assert (
        pdf.status_code == 200
        and pdf.content.startswith(b"%PDF")
        and pdf.headers["content-type"] == "application/pdf"
    )
    other_token = s["issuer"].token("res2", roles=["resident"], payers=[OTHER])
    s["app"].dependency_overrides[require_verified] = lambda: resident(other_token, (OTHER,))
    assert (await web.get(link)).status_code == 404
    s["app"].dependency_overrides[require_verified] = lambda: resident(s["token"], (PAYER,))

    # Pay this charge online through the sandbox provider
    fields = form_fields(page.text, "/platnosci/online", c1.charge_id)
    go = await web.post("/platnosci/online", data=fields)
    assert go.status_code == 303
    sandbox_url = go.headers["location"]
    assert sandbox_url.startswith(str(s["sandbox"].base_url))
    provider_page = await s["sandbox"].get(sandbox_url)
    assert "Środowisko testowe — płatność symulowana" in provider_page.text
    pay_action = BeautifulSoup(provider_page.text, "html.parser").find(
        "form", action=re.compile("/pay$")
    )["action"]
    back = await s["sandbox"].post(pay_action)
    assert back.status_code == 303 and "/platnosci?platnosc=" in back.headers["location"]

    # a provider notification reaches billing through the gateway; a forged one books nothing
    forged = await web.post(
        "/platnosci/powiadomienie/sandbox", content=b'{"sessionId": "x", "amount": 1}'
    )
    assert forged.status_code == 400

    history = await web.get("/platnosci?platnosc=x")
    assert "w trakcie" in history.text
    assert BeautifulSoup(history.text, "html.parser").find(
        "td", attrs={"data-status": "in_progress"}
    )
    page = await web.get("/naleznosci")
    assert "płatność w trakcie" in page.text

    async def settled():
        h = await web.get("/platnosci")
        return "zaksięgowana" in h.text

    await eventually(settled)
    balance = await api.GetBalance(billing_pb2.GetBalanceRequest(payer_id=PAYER), metadata=md)
    assert balance.total.to_pay_grosze == 0 and balance.total.in_progress_grosze == 0

    # A second charge paid by bank transfer to the virtual account; the statement comes twice
    await publish(s["bus"], charge("inv-2", 5_000))

    async def two():
        r = await api.ListCharges(billing_pb2.ListChargesRequest(payer_id=PAYER), metadata=md)
        return len(r.charges) == 2

    await eventually(two)
    payer = (await api.GetPayer(billing_pb2.GetPayerRequest(payer_id=PAYER), metadata=md)).payer
    csv = f"data;kwota;rachunek_wirtualny;nadawca;tytul\n2026-03-02;50,00;{payer.virtual_account};Z. Żółkiewska;opłata\n"
    for expected_new in (1, 0):
        result = await api.ImportStatement(
            billing_pb2.ImportStatementRequest(filename="wyciag.csv", content=csv.encode()),
            metadata=s["clerk"],
        )
        assert result.lines_new == expected_new
    payments = await api.ListPayments(billing_pb2.ListPaymentsRequest(payer_id=PAYER), metadata=md)
    assert sorted(p.channel for p in payments.payments) == ["online", "statement"]
    balance = await api.GetBalance(billing_pb2.GetBalanceRequest(payer_id=PAYER), metadata=md)
    assert balance.total.to_pay_grosze == 0 and balance.credit_grosze == 0
    page = await web.get("/naleznosci")
    assert "Brak należności do zapłaty." in page.text

    # facts for notify and the modules went out through the outbox
    async with s["rt"].db.sessions() as session:
        rows = (await session.execute(select(outbox_table.c.subject, outbox_table.c.payload))).all()
    issued = [
        billing_pb2.DocumentIssued.FromString(p)
        for subj, p in rows
        if subj == "portal.billing.document.issued.v1"
    ]
    assert sorted(d.number[:9] for d in issued) == ["FV/DUMMY/", "FV/DUMMY/"]
    assert {subj for subj, _ in rows} >= {
        "portal.billing.payment.received.v1",
        "portal.billing.payment.settled.v1",
        "portal.billing.charge.booked.v1",
    }
