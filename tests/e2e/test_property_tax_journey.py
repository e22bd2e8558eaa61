"""Property tax end to end, plugged in without changing another service.

The clerk enters the year's maxima and rates (one above the maximum is refused), the resident
files an IN-1 in the gateway (bad input shown by field), the clerk confirms it and issues the
decision (and cannot for a payer the office does not know) → billing books four installments
→ the resident sees "Podatki" in the menu, the section in Należności with the installments and
the decision PDF in Dokumenty → pays the first installment with the sandbox provider → the
payment slip of the second carries the right ZBP QR code.

Real billing, property-tax and gateway services (start_service: gRPC, HTTP, NATS, database);
the admin app in-process; residents and clerks logged in through signed session cookies.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
from base64 import b64encode

import httpx
import itsdangerous
import pypdf
import pytest
import zxingcpp
from bs4 import BeautifulSoup

from admin.app import create_app as create_admin
from admin.app import definition as admin
from billing.app import definition as billing
from gateway.app import definition as gateway
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal_platform.config import DEV_SECRET
from portal_platform.rpc.client import call, channel
from portal_platform.service import Runtime
from property_tax.app import definition as property_tax

PAYER = "P-PT-1"
YEAR = 2027
CSRF = "csrf-test-token"
pytestmark = pytest.mark.timeout(240)


def session_cookie(data: dict) -> str:
    """A cookie as Starlette's SessionMiddleware signs it (the login feature stores "user")."""
    return (
        itsdangerous.TimestampSigner(DEV_SECRET).sign(b64encode(json.dumps(data).encode())).decode()
    )


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def error_for(html: str, field: str) -> str:
    """The message tied to a control by aria-describedby (and the control marked invalid)."""
    page = soup(html)
    control = page.find(id=field)
    assert control is not None and control.get("aria-invalid") == "true", field
    return page.find(id=control["aria-describedby"]).get_text(" ", strip=True)


async def eventually(check, timeout: float = 40.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.2)


@pytest.fixture
async def system(start_service, issuer):
    billing_rt = await start_service(billing, sandbox_settlement_delay_s=1.0)
    tax_rt = await start_service(property_tax)
    tax_addr = f"127.0.0.1:{tax_rt.grpc_server.port}"
    services = f"billing=127.0.0.1:{billing_rt.grpc_server.port},property_tax={tax_addr}"
    gw_rt = await start_service(
        gateway,
        grpc_services=services,
        http_services=f"billing=http://127.0.0.1:{billing_rt.settings.http_port}/healthz",
        PORTAL_MODULES=f"property_tax={tax_addr}",
    )
    office = create_admin(
        Runtime(admin, admin.settings_cls.model_validate(
            {"env": "test", "grpc_services": services, "PORTAL_MODULES": f"property_tax={tax_addr}"}
        ))
    )  # fmt: skip
    token = issuer.token("acc-jan", roles=["resident"], payers=[PAYER], ttl=3600)
    resident = {"subject": "acc-jan", "name": "Jan Kowalski", "email": "jan@example.pl",
                "state": "verified", "access_token": token, "roles": ["resident"], "payers": [PAYER]}  # fmt: skip
    clerk = {"subject": "clerk-anna", "name": "Anna Nowak", "email": "anna@ludwin.example",
             "access_token": issuer.token("clerk-anna", roles=["clerk"], ttl=3600), "roles": ["clerk"]}  # fmt: skip
    web = httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw_rt.settings.http_port}", timeout=30)
    web.cookies.set("portal_session", session_cookie({"user": resident, "csrf_token": CSRF}))
    back = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=office), base_url="http://admin.test"
    )
    back.cookies.set("portal_admin_session", session_cookie({"user": clerk, "csrf_token": CSRF}))
    sandbox = httpx.AsyncClient(base_url=f"http://127.0.0.1:{billing_rt.settings.http_port}")
    ch = channel(f"127.0.0.1:{billing_rt.grpc_server.port}")
    yield {"web": web, "back": back, "sandbox": sandbox, "token": token,
           "billing": billing_pb2_grpc.BillingServiceStub(ch)}  # fmt: skip
    for c in (web, back, sandbox):
        await c.aclose()
    await ch.close()


def resident_form(event: str, rows: list[dict[str, str]]) -> dict[str, str]:
    data = {"csrf_token": CSRF, "payer_id": PAYER, "rows": str(len(rows)), "event_date": event}
    for i, row in enumerate(rows):
        data.update({f"obj-{i}-{k}": v for k, v in row.items()})
    return data


HOUSE = {"category": "building_residential", "location": "Ludwin 12, dz. 123/4", "area": "120"}
LAND = {"category": "land_other", "location": "Ludwin 12, dz. 123/4", "area": "800"}


async def clerk_sets_up_the_year(back: httpx.AsyncClient) -> None:
    page = await back.get(f"/podatki/stawki?rok={YEAR}")
    assert page.status_code == 200 and "Brak ustawowych stawek maksymalnych" in page.text
    for category, value in (("building_residential", "1,31"), ("land_other", "0,81")):
        saved = await back.post("/podatki/maksima", data={
            "csrf_token": CSRF, "year": str(YEAR), "category": category, "max": value,
            "source": "obwieszczenie MF na 2027 r."})  # fmt: skip
        assert saved.status_code == 200, saved.text
    over = await back.post("/podatki/stawki", data={
        "csrf_token": CSRF, "year": str(YEAR), "category": "building_residential", "rate": "1,32"})  # fmt: skip
    assert over.status_code == 422
    assert "przekracza ustawową maksymalną stawkę 1,31 zł" in error_for(over.text, "rate_grosze")
    for category, value in (("building_residential", "1,19"), ("land_other", "0,47")):
        ok = await back.post("/podatki/stawki", data={
            "csrf_token": CSRF, "year": str(YEAR), "category": category, "rate": value,
            "resolution": "Uchwała nr XIV/90/2026"})  # fmt: skip
        assert ok.status_code == 200, ok.text
    row = soup(ok.text).find("tr", attrs={"data-category": "land_other"})
    assert "0,47\u00a0zł/m²" in row.get_text() and "0,81\u00a0zł/m²" in row.get_text()
    made = await back.post("/podatki/podatnicy", data={
        "csrf_token": CSRF, "payer_id": PAYER, "kind": "person", "name": "Jan Kowalski",
        "address": "Ludwin 12, 21-075 Ludwin", "identifier": ""})  # fmt: skip
    assert made.status_code == 303


async def test_decision_to_payment_and_slip(system):
    s = system
    web, back, api = s["web"], s["back"], s["billing"]
    await clerk_sets_up_the_year(back)

    # The resident files the IN-1 in the portal; bad input is named by field, nothing is saved.
    form = await web.get(f"/podatki/informacja?platnik={PAYER}")
    assert form.status_code == 200 and "Informacja o nieruchomościach" in form.text
    bad = await web.post(
        "/podatki/informacja", data=resident_form("2015-05-04", [HOUSE, {**LAND, "area": "-800"}])
    )
    assert bad.status_code == 422
    assert "nie może być ujemna" in error_for(bad.text, "obj-1-area")
    shares = {**LAND, "share": "1/2", "co_owners": "Anna Kowalska 1/4"}
    bad = await web.post("/podatki/informacja", data=resident_form("2015-05-04", [HOUSE, shares]))
    assert "sumują się do 3/4" in error_for(bad.text, "obj-1-share")
    unknown = await web.post(
        "/podatki/informacja",
        data=resident_form("2015-05-04", [{**HOUSE, "category": "land_forest"}]),
    )
    assert "nieznany rodzaj" in error_for(unknown.text, "obj-0-category")
    filed = await web.post(
        "/podatki/informacja", data=resident_form("2015-05-04", [HOUSE, LAND, {}])
    )
    assert filed.status_code == 303, filed.text
    assert "czeka na sprawdzenie w urzędzie" in (await web.get("/podatki")).text

    # The clerk confirms it and issues the decision; a payer the office does not know: refused.
    drafts = await back.get("/podatki/zgloszenia")
    filing_id = re.search(r"/podatki/zgloszenia/([0-9a-f-]+)/potwierdz", drafts.text).group(1)
    done = await back.post(f"/podatki/zgloszenia/{filing_id}/potwierdz", data={"csrf_token": CSRF},
                           follow_redirects=True)  # fmt: skip
    assert "Zgłoszenie przyjęte" in done.text
    nobody = await back.post("/podatki/podatnicy/P-NOBODY/decyzja",
                             data={"csrf_token": CSRF, "year": str(YEAR), "issued_on": ""})  # fmt: skip
    assert nobody.status_code == 404 and "Nie ma takiego podatnika" in nobody.text
    preview = await back.get(f"/podatki/podatnicy/{PAYER}?rok={YEAR}")
    assert (
        soup(preview.text).find(attrs={"data-testid": "preview-tax"}).get_text() == "519,00\u00a0zł"
    )
    issued = await back.post(f"/podatki/podatnicy/{PAYER}/decyzja",
                             data={"csrf_token": CSRF, "year": str(YEAR), "issued_on": ""},
                             follow_redirects=True)  # fmt: skip
    assert issued.status_code == 200 and "Wydano decyzję" in issued.text

    md = [("authorization", f"Bearer {s['token']}")]

    async def booked():
        r = await api.ListCharges(
            billing_pb2.ListChargesRequest(payer_id=PAYER, module="property_tax"), metadata=md
        )
        return list(r.charges) if len(r.charges) == 4 else None

    charges = sorted(await eventually(booked), key=lambda c: c.idempotency_key)
    assert [c.gross_grosze for c in charges] == [12975] * 4

    # Należności: the module's section with the four installments; "Podatki" in the menu.
    page = await web.get("/naleznosci")
    assert page.status_code == 200
    menu = soup(page.text).find("nav", id="menu")
    assert menu.find("a", href="/podatki").get_text(strip=True) == "Podatki"
    heading = soup(page.text).find(["h2", "h3"], string="Podatek od nieruchomości")
    table = heading.find_parent("section").find("table")
    rows = [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in table.select("tbody tr")
    ]
    assert [(r[2], r[3]) for r in rows] == [
        ("15.03.2027", "129,75\u00a0zł"), ("17.05.2027", "129,75\u00a0zł"),
        ("15.09.2027", "129,75\u00a0zł"), ("15.11.2027", "129,75\u00a0zł"),
    ]  # fmt: skip
    assert "rata 1" in rows[0][0] and "Decyzja" in rows[0][0]

    # Pulpit: the module's cards and deadlines from SummarisePayer.
    home = await web.get("/")
    assert home.status_code == 200 and "Podatek od nieruchomości 2027" in home.text
    assert "Podatek od nieruchomości — rata 1 (129,75 zł)" in home.text

    # Dokumenty: the decision PDF as the module rendered it.
    docs = await web.get("/dokumenty")
    kinds = [
        (tr.find("td").get_text(strip=True), tr.find("a")["href"])
        for tr in soup(docs.text).select("tbody tr")
        if tr.find("a")
    ]
    assert sorted(k for k, _ in kinds) == ["Decyzja", "Rata", "Rata", "Rata"]
    decision = await web.get(next(href for k, href in kinds if k == "Decyzja"))
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(decision.content)).pages)
    assert decision.content.startswith(b"%PDF") and "DECYZJA nr PN.3120.2027" in text
    assert "519,00 zł" in text
    own = await web.get("/podatki")
    pdf_link = soup(own.text).find("a", href=re.compile(r"^/podatki/decyzje/.+/pobierz$"))
    assert (await web.get(pdf_link["href"])).content == decision.content

    # Pay the first installment online (sandbox provider).
    open_ = await api.ListOpenCharges(
        billing_pb2.ListOpenChargesRequest(payer_id=PAYER), metadata=md
    )
    by_due = sorted(
        open_.charges, key=lambda c: (c.due_date.year, c.due_date.month, c.due_date.day)
    )
    first, second = by_due[0], by_due[1]
    go = await web.post("/platnosci/online", data={"csrf_token": CSRF, "payer_id": PAYER,
                                                     "charge_id": first.charge_id})  # fmt: skip
    assert go.status_code == 303
    provider = await s["sandbox"].get(go.headers["location"])
    action = soup(provider.text).find("form", action=re.compile("/pay$"))["action"]
    assert (await s["sandbox"].post(action)).status_code == 303

    async def paid():
        r = await api.ListOpenCharges(
            billing_pb2.ListOpenChargesRequest(payer_id=PAYER, include_paid=True), metadata=md
        )
        states = {c.charge_id: c.status for c in r.charges}
        return states if states.get(first.charge_id) == "paid" else None

    states = await eventually(paid)
    assert states[second.charge_id] == "open"
    balance = await api.GetBalance(billing_pb2.GetBalanceRequest(payer_id=PAYER), metadata=md)
    assert balance.total.to_pay_grosze == 3 * 12975

    # The slip of the second installment: the ZBP QR code for 129.75 zł to the virtual account.
    slip = await web.get(f"/platnosci/blankiet?payer_id={PAYER}&charge_id={second.charge_id}")
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(slip.content))
    codes = {zxingcpp.read_barcodes(img.image)[0].text for p in reader.pages for img in p.images}
    payer = (
        await call(api.GetPayer, billing_pb2.GetPayerRequest(payer_id=PAYER), token=s["token"])
    ).payer
    gmina = await call(api.GetGminaInfo, billing_pb2.GetGminaInfoRequest(), token=s["token"])
    (code,) = codes
    fields = code.split("|")
    assert fields[:4] == [gmina.nip, "PL", payer.virtual_account, "012975"]
    assert fields[4] == gmina.name[:20] and fields[5] == second.document_number[:32]
    assert fields[6:] == ["", "", ""] and len(code) <= 160
    assert "129,75" in "\n".join(p.extract_text() for p in reader.pages)
