"""Dokumenty: a company downloads the FA(3) XML (KSeF) of its invoices, against real billing.

Charges reach billing through its intake (as the modules send them) for two companies with a
NIP; billing sends the invoices to a local KSeF double (`services/billing/tests/ksef_fake.py`),
which accepts company A's and refuses company B's. The resident's page links the XML only where
there is, or can be, one and shows the KSeF number; the XML is the one KSeF received; the other
company's document is a 404 exactly like a missing one, on the page and in the API.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from base64 import b64encode
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import itsdangerous
import pytest
from bs4 import BeautifulSoup
from ksef_client.documents.fa3 import validate_fa3_xml_xsd
from lxml import etree
from sqlalchemy import update

from billing.app import definition as billing
from billing.app import ksef_send
from billing.context import today as billing_today
from billing.documents.models import Document
from gateway.app import definition as gateway
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal.common.v1 import common_pb2
from portal_platform.config import DEV_SECRET
from portal_platform.messaging.bus import CHARGES_STREAM, Bus
from portal_platform.messaging.outbox import stamp
from portal_platform.rpc.client import call, channel

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "billing" / "tests"))
from ksef_fake import FakeKsef

NS = "{http://crd.gov.pl/wzor/2025/06/25/13775/}"
GMINA_NIP, TOKEN = "5252248481", "20260101-EC-TEST-TOKEN"
A, B = "P-KSEF-A", "P-KSEF-B"
NIPS = {A: "7740001454", B: "5260250995"}
XML_LINK = "Faktura ustrukturyzowana (XML, KSeF)"
CHROMIUM = "/usr/bin/chromium"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
pytestmark = pytest.mark.timeout(240)


def session_cookie(data: dict) -> str:
    """A cookie as Starlette's SessionMiddleware signs it (the login stores "user")."""
    signer = itsdangerous.TimestampSigner(DEV_SECRET)
    return signer.sign(b64encode(json.dumps(data).encode())).decode()


def resident(subject: str, token: str, payer: str) -> dict:
    return {"subject": subject, "name": "Firma", "email": f"{subject}@example.pl",
            "state": "verified", "access_token": token, "roles": ["resident"],
            "payers": [payer]}  # fmt: skip


def charge(payer: str, module: str, kind: int, title: str) -> billing_pb2.ChargeRequested:
    due = billing_today() + timedelta(days=14)  # FA(3) takes dates up to 2050 only
    ev = billing_pb2.ChargeRequested(
        payer_id=payer,
        module=module,
        idempotency_key=str(uuid.uuid4()),
        document_kind=kind,
        title=title,
        lines=[
            billing_pb2.ChargeLine(
                description="Woda",
                quantity="10",
                unit="m3",
                unit_net_grosze=489,
                net_grosze=4_890,
                vat_rate="8",
                vat_grosze=391,
                gross_grosze=5_281,
            )
        ],
        due_dates=[common_pb2.Date(year=due.year, month=due.month, day=due.day)],
        payer=billing_pb2.PayerDetails(
            name=f"Firma {payer}", address="ul. Polna 3, 21-075 Ludwin", nip=NIPS[payer]
        ),
    )
    stamp(ev, module)
    return ev


def client(gw, token: str, payer: str) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    base = f"http://127.0.0.1:{gw.settings.http_port}"
    web = httpx.AsyncClient(base_url=base, timeout=30)
    web.cookies.set(
        "portal_session",
        session_cookie({"user": resident(f"u-{payer}", token, payer), "csrf_token": "t"}),
    )
    api = httpx.AsyncClient(
        base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    return web, api


@pytest.fixture
async def system(start_service, nats_url, issuer):
    with FakeKsef(token=TOKEN, nip=GMINA_NIP) as fake:
        billing_rt = await start_service(
            billing,
            gmina_nip=GMINA_NIP,
            ksef_env="test",
            ksef_base_url=fake.url,
            ksef_token=TOKEN,
            ksef_poll_seconds=0,
            ksef_since=billing_today().isoformat(),
        )
        address = f"127.0.0.1:{billing_rt.grpc_server.port}"
        gw = await start_service(gateway, grpc_services=f"billing={address}")

        invoice, notice = billing_pb2.DOCUMENT_KIND_INVOICE, billing_pb2.DOCUMENT_KIND_FEE_NOTICE
        sent = [
            charge(A, "water", invoice, "Faktura za wodę"),
            charge(A, "water", invoice, "Faktura za wodę sprzed KSeF"),
            charge(A, "waste", notice, "Opłata za odpady komunalne"),
            charge(B, "water", invoice, "Faktura za wodę"),
        ]
        bus = await Bus.connect(nats_url, name="test-modules")
        await bus.ensure_stream(CHARGES_STREAM)
        for ev in sent:
            subject = f"portal.charges.{ev.module}.requested.v1"
            await bus.publish(subject, ev.SerializeToString(), msg_id=ev.meta.event_id)
        await bus.close()

        clerk = issuer.token("clerk", roles=["clerk"])
        ch = channel(address)
        stub = billing_pb2_grpc.BillingServiceStub(ch)
        docs: dict[tuple[str, str], billing_pb2.Document] = {}
        deadline = asyncio.get_running_loop().time() + 60
        while len(docs) < len(sent):
            assert asyncio.get_running_loop().time() < deadline, "the charges did not reach billing"
            await asyncio.sleep(0.2)
            for payer in (A, B):
                found = await call(
                    stub.ListDocuments,
                    billing_pb2.ListDocumentsRequest(payer_id=payer),
                    token=clerk,
                )
                docs.update({(payer, d.title): d for d in found.documents})
        a_invoice, a_old = docs[A, "Faktura za wodę"], docs[A, "Faktura za wodę sprzed KSeF"]
        a_notice, b_invoice = docs[A, "Opłata za odpady komunalne"], docs[B, "Faktura za wodę"]

        # one of A's invoices was issued before KSeF (BILLING_KSEF_SINCE): it is never sent
        async with billing_rt.db.transaction() as s:
            await s.execute(
                update(Document)
                .where(Document.id == a_old.document_id)
                .values(issued_on=billing_today() - timedelta(days=60))
            )
        fake.refuse.add(b_invoice.number)
        assert await ksef_send(billing_rt, []) == 0  # A's accepted, B's refused

        line = billing_pb2.ChargeLine(
            description="Woda", quantity="8", unit="m3", unit_net_grosze=489,
            net_grosze=3_912, vat_rate="8", vat_grosze=313, gross_grosze=4_225,
        )  # fmt: skip
        corrections = {}
        for doc in (a_invoice, b_invoice):
            issued = await call(
                stub.IssueCorrection,
                billing_pb2.IssueCorrectionRequest(
                    document_id=doc.document_id, reason="Błędny odczyt", lines=[line]
                ),
                token=clerk,
            )
            corrections[doc.payer_id] = issued.document
        await ch.close()

        web_a, api_a = client(gw, issuer.token("u-a", roles=["resident"], payers=[A], ttl=3600), A)
        web_b, api_b = client(gw, issuer.token("u-b", roles=["resident"], payers=[B], ttl=3600), B)
        yield SimpleNamespace(
            fake=fake,
            web_a=web_a,
            api_a=api_a,
            web_b=web_b,
            api_b=api_b,
            a_invoice=a_invoice,
            a_old=a_old,
            a_notice=a_notice,
            a_correction=corrections[A],
            b_invoice=b_invoice,
            b_correction=corrections[B],
        )
        for c in (web_a, api_a, web_b, api_b):
            await c.aclose()


def document_rows(html: str) -> dict[str, BeautifulSoup]:
    """Rows of Dokumenty by the PDF link's document id."""
    soup = BeautifulSoup(html, "html.parser")
    found = {}
    for tr in soup.select("main table tbody tr"):
        pdf = tr.find("a", href=lambda h: bool(h) and h.endswith("/pobierz"))
        if pdf:
            found[pdf["href"].split("/")[2]] = tr
    return found


async def test_company_downloads_the_xml_ksef_received_and_sees_the_ksef_number(system):
    s = system
    page = await s.web_a.get("/dokumenty")
    assert page.status_code == 200
    rows = document_rows(page.text)
    accepted = rows[s.a_invoice.document_id]
    ksef_number = s.fake.ksef_numbers[s.a_invoice.number]
    assert f"Numer KSeF: {ksef_number}" in accepted.get_text(" ", strip=True)
    link = accepted.find("a", string=XML_LINK)
    assert link["href"] == f"/dokumenty/{s.a_invoice.document_id}/xml"
    assert link["aria-label"] == f"{XML_LINK}: {s.a_invoice.number}"
    # the correction can have one (built on first download), not in KSeF yet: no number
    correction = rows[s.a_correction.document_id]
    assert correction.find("a", string=XML_LINK) is not None
    assert "Numer KSeF" not in correction.get_text()
    # no XML for a fee notice, nor for an invoice issued before KSeF (the PDF is the invoice)
    for doc in (s.a_notice, s.a_old):
        assert rows[doc.document_id].find("a", string=XML_LINK) is None, doc.title
        assert "Numer KSeF" not in rows[doc.document_id].get_text()

    got = await s.web_a.get(link["href"])
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/xml"
    assert got.headers["content-disposition"].startswith("attachment; filename*=UTF-8''")
    assert got.headers["content-disposition"].endswith("_FA3.xml")
    assert got.headers["cache-control"] == "private, no-store"
    assert got.content == s.fake.received[s.a_invoice.number]  # exactly what KSeF got
    validate_fa3_xml_xsd(got.content)
    root = etree.fromstring(got.content)
    assert root.findtext(f"{NS}Podmiot2/{NS}DaneIdentyfikacyjne/{NS}NIP") == NIPS[A]

    corrected = await s.web_a.get(f"/dokumenty/{s.a_correction.document_id}/xml")
    assert corrected.status_code == 200
    fa = etree.fromstring(corrected.content).find(f"{NS}Fa")
    assert fa.findtext(f"{NS}RodzajFaktury") == "KOR"
    assert fa.findtext(f"{NS}DaneFaKorygowanej/{NS}NrKSeFFaKorygowanej") == ksef_number

    # the same in English
    english = await s.web_a.get("/dokumenty?lang=en")
    row = document_rows(english.text)[s.a_invoice.document_id]
    assert row.find("a", string="Structured invoice (XML, KSeF)") is not None
    assert f"KSeF number: {ksef_number}" in row.get_text(" ", strip=True)


async def test_another_company_gets_404_like_for_a_missing_document(system):
    s = system
    page_b = await s.web_b.get("/dokumenty")
    assert s.a_invoice.number not in page_b.text
    foreign = await s.web_b.get(f"/dokumenty/{s.a_invoice.document_id}/xml")
    missing = await s.web_b.get(f"/dokumenty/{uuid.uuid4()}/xml")
    assert foreign.status_code == missing.status_code == 404
    assert "Nie znaleziono dokumentu" in foreign.text
    assert NIPS[A] not in foreign.text and s.a_invoice.number not in foreign.text

    def main(html: str) -> str:
        return BeautifulSoup(html, "html.parser").find("main").get_text(" ", strip=True)

    assert main(foreign.text) == main(missing.text)
    # a document of one's own without an XML (a fee notice) is not found either
    notice = await s.web_a.get(f"/dokumenty/{s.a_notice.document_id}/xml")
    assert notice.status_code == 404 and main(notice.text) == main(missing.text)

    api_foreign = await s.api_b.get(f"/documents/{s.a_invoice.document_id}/structured-invoice")
    api_missing = await s.api_b.get(f"/documents/{uuid.uuid4()}/structured-invoice")
    assert api_foreign.status_code == api_missing.status_code == 404
    assert api_foreign.json() == api_missing.json()


async def test_refused_invoice_has_no_link_and_its_correction_waits_with_a_clear_message(system):
    s = system
    rows = document_rows((await s.web_b.get("/dokumenty")).text)
    assert rows[s.b_invoice.document_id].find("a", string=XML_LINK) is None  # rejected by KSeF
    link = rows[s.b_correction.document_id].find("a", string=XML_LINK)
    waits = await s.web_b.get(link["href"])
    assert waits.status_code == 409
    text = BeautifulSoup(waits.text, "html.parser").find("main").get_text(" ", strip=True)
    assert "Faktura ustrukturyzowana niedostępna" in text
    assert "będzie dostępna, gdy faktura korygowana otrzyma numer w KSeF" in text
    api = await s.api_b.get(f"/documents/{s.b_correction.document_id}/structured-invoice")
    assert api.status_code == 409
    assert "faktura korygowana otrzyma numer w KSeF" in api.json()["error"]["message"]


async def test_api_lists_the_xml_and_the_ksef_number(system):
    s = system
    listed = await s.api_a.get(f"/payers/{A}/documents")
    assert listed.status_code == 200
    by_id = {d["document_id"]: d for d in listed.json()}
    invoice = by_id[s.a_invoice.document_id]
    url = f"/api/v1/documents/{s.a_invoice.document_id}/structured-invoice"
    assert invoice["structured_invoice_url"] == url
    assert invoice["ksef_number"] == s.fake.ksef_numbers[s.a_invoice.number]
    assert by_id[s.a_notice.document_id]["structured_invoice_url"] is None
    assert by_id[s.a_old.document_id]["structured_invoice_url"] is None
    got = await s.api_a.get(url.removeprefix("/api/v1"))
    assert got.status_code == 200 and got.headers["content-type"] == "application/xml"
    assert got.content == s.fake.received[s.a_invoice.number]
    assert date.fromisoformat(invoice["issued_on"]) == billing_today()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="system chromium not installed")
async def test_documents_with_the_xml_link_pass_axe(system):
    """axe-core (WCAG 2.1 AA) on Dokumenty with the link and the KSeF number, on the page of an
    XML that is not available yet and on the 404 — phone and desktop, Polish and English."""
    from axe_playwright_python.async_playwright import Axe
    from playwright.async_api import async_playwright

    s = system
    base = str(s.web_a.base_url).rstrip("/")
    pages = [
        (s.web_a, "/dokumenty", 200),
        (s.web_b, f"/dokumenty/{s.b_correction.document_id}/xml", 409),
        (s.web_b, f"/dokumenty/{s.a_invoice.document_id}/xml", 404),
    ]
    problems, rules = {}, 0
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for width in (360, 1280):
            for who, path, status in pages:
                context = await browser.new_context(viewport={"width": width, "height": 800})
                cookie = who.cookies["portal_session"]
                await context.add_cookies(
                    [{"name": "portal_session", "value": cookie, "url": base}]
                )
                page = await context.new_page()
                for lang in ("pl", "en"):
                    response = await page.goto(f"{base}{path}?lang={lang}")
                    assert response.status == status, path
                    if path == "/dokumenty":
                        assert await page.locator("main a.xml").count() == 2
                        assert await page.locator("main .ksef-number").count() == 1
                    results = await Axe().run(page, options={"runOnly": AXE_TAGS})
                    rules += len(results.response["passes"])
                    found = [v["id"] for v in results.response["violations"]]
                    if found:
                        problems[f"{path} {lang} {width}px"] = found
                await context.close()
        await browser.close()
    assert rules > 100, "axe really ran its rules"
    assert problems == {}
