"""The clerk's side of FA(3): KSeF status in the payer's documents, the XML next to the PDF.

Real billing service (gRPC, database) and the admin app driven over HTTP as a clerk (as in
tests/e2e/test_billing_admin.py).
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from bs4 import BeautifulSoup
from ksef_client.documents.fa3 import parse_invoice_xml

from admin.app import create_app
from admin.app import definition as admin
from admin.auth import CurrentClerk, require_clerk
from billing.app import definition as billing
from billing.charges.intake import intake
from billing.charges.schemas import ChargeIn, LineIn
from billing.context import Context, today
from portal_platform.service import Runtime

pytestmark = pytest.mark.timeout(180)


def invoice(payer: str, nip: str) -> ChargeIn:
    return ChargeIn(
        event_id=str(uuid.uuid4()),
        payer_id=payer,
        module="water",
        idempotency_key=str(uuid.uuid4()),
        document_kind="invoice",
        title="Faktura za wodę",
        lines=(LineIn("Woda", Decimal("10"), "m3", 489, 4_890, "8", 391, 5_281),),
        due_dates=(date(2026, 9, 14),),
        payer_name="Piekarnia Kłos sp. z o.o." if nip else "Jan Kowalski",
        payer_address="ul. Polna 3, 21-075 Ludwin",
        payer_nip=nip,
    )


@pytest.fixture
async def http(start_service, issuer):
    rt = await start_service(billing, gmina_nip="5252248481")
    async with rt.db.transaction() as s:
        await intake(
            s,
            Context.from_settings(rt.settings),
            [invoice("P-F1", "7740001454"), invoice("P-K1", "")],
        )
    settings = admin.settings_cls.model_validate(
        {"env": "test", "grpc_services": f"billing=127.0.0.1:{rt.grpc_server.port}"}
    )
    app = create_app(Runtime(admin, settings))
    clerk = CurrentClerk(
        "clerk-1", "Anna Urzędniczka", "anna@ludwin.pl",
        issuer.token("clerk-1", roles=["clerk"]), ("clerk",),
    )  # fmt: skip
    app.dependency_overrides[require_clerk] = lambda: clerk
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://admin.test")
    yield client
    await client.aclose()


async def test_clerk_downloads_the_fa3_xml_next_to_the_pdf_and_sees_its_status(http):
    page = await http.get("/rozliczenia/platnik/P-F1")
    assert page.status_code == 200
    row = BeautifulSoup(page.text, "html.parser").find("a", string="XML FA(3)").find_parent("tr")
    assert "XML jeszcze nie utworzony" in row.get_text()
    href = row.find("a", string="XML FA(3)")["href"]
    assert re.fullmatch(r"/rozliczenia/dokument/[0-9a-f-]{36}/xml", href)
    xml = await http.get(href)
    assert xml.status_code == 200 and xml.headers["content-type"] == "application/xml"
    assert "attachment" in xml.headers["content-disposition"]
    inv = parse_invoice_xml(xml.content)
    assert inv.buyer.identifier.value == "7740001454" and inv.total_gross == Decimal("52.81")
    page = await http.get("/rozliczenia/platnik/P-F1")
    assert "XML gotowy, nie wysłany do KSeF" in page.text

    consumer = await http.get("/rozliczenia/platnik/P-K1")
    assert "XML FA(3)" not in consumer.text  # a consumer is outside KSeF
    doc = BeautifulSoup(consumer.text, "html.parser").find("a", string="PDF")["href"]
    missing = await http.get(doc + "/xml")
    assert missing.status_code == 404 and "NIP" in missing.text


async def test_invoice_issued_before_ksef_since_shows_not_applicable(start_service, issuer):
    since = today() + timedelta(days=1)  # KSeF from tomorrow: today's invoice stays outside
    rt = await start_service(billing, gmina_nip="5252248481", ksef_since=since.isoformat())
    async with rt.db.transaction() as s:
        await intake(s, Context.from_settings(rt.settings), [invoice("P-F2", "7740001454")])
    settings = admin.settings_cls.model_validate(
        {"env": "test", "grpc_services": f"billing=127.0.0.1:{rt.grpc_server.port}"}
    )
    app = create_app(Runtime(admin, settings))
    clerk = CurrentClerk(
        "clerk-1", "Anna Urzędniczka", "anna@ludwin.pl",
        issuer.token("clerk-1", roles=["clerk"]), ("clerk",),
    )  # fmt: skip
    app.dependency_overrides[require_clerk] = lambda: clerk
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://admin.test") as http:
        page = await http.get("/rozliczenia/platnik/P-F2")
        row = (
            BeautifulSoup(page.text, "html.parser").find("a", string="XML FA(3)").find_parent("tr")
        )
        text = row.get_text(" ", strip=True)
        assert "nie dotyczy (przed BILLING_KSEF_SINCE)" in text
        assert f"Wystawiony przed {since:%d.%m.%Y}" in text
        assert "XML jeszcze nie utworzony" not in text
