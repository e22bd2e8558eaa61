"""Back office "Podatki" over HTTP against a real property-tax service: paper IN-1 with bad
input named by field, a resident's draft rejected with a reason, a company's DN-1 confirmed into
monthly installments, the yearly run of decisions (twice), decision PDF download."""

from __future__ import annotations

import json
import re
from base64 import b64encode
from datetime import date

import grpc
import httpx
import itsdangerous
import pytest
from bs4 import BeautifulSoup

from admin.app import create_app
from admin.app import definition as admin
from portal.common.v1 import common_pb2
from portal.property_tax.v1 import property_tax_pb2 as pb
from portal.property_tax.v1 import property_tax_pb2_grpc
from portal_platform.config import DEV_SECRET
from portal_platform.rpc.client import call_metadata
from portal_platform.service import Runtime
from property_tax.app import definition as property_tax

YEAR = 2026  # the maxima of 2026 ship with the service
CSRF = "csrf-admin"
pytestmark = pytest.mark.timeout(180)


def session_cookie(data: dict) -> str:
    return (
        itsdangerous.TimestampSigner(DEV_SECRET).sign(b64encode(json.dumps(data).encode())).decode()
    )


def error_for(html: str, field: str) -> str:
    page = BeautifulSoup(html, "html.parser")
    control = page.find(id=field)
    assert control is not None and control.get("aria-invalid") == "true", field
    return page.find(id=control["aria-describedby"]).get_text(" ", strip=True)


@pytest.fixture
async def office(start_service, issuer):
    rt = await start_service(property_tax)
    addr = f"127.0.0.1:{rt.grpc_server.port}"
    app = create_app(
        Runtime(
            admin,
            admin.settings_cls.model_validate(
                {"env": "test", "grpc_services": f"property_tax={addr}"}
            ),
        )
    )
    clerk = {"subject": "clerk-1", "name": "Anna Urzędniczka", "email": "anna@ludwin.example",
             "access_token": issuer.token("clerk-1", roles=["clerk"], ttl=3600), "roles": ["clerk"]}  # fmt: skip
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://admin.test")
    http.cookies.set("portal_admin_session", session_cookie({"user": clerk, "csrf_token": CSRF}))
    ch = grpc.aio.insecure_channel(addr)
    yield http, property_tax_pb2_grpc.PropertyTaxServiceStub(ch), issuer
    await http.aclose()
    await ch.close()


def rows(*objects: dict[str, str]) -> dict[str, str]:
    data = {"rows": str(len(objects))}
    for i, o in enumerate(objects):
        data.update({f"obj-{i}-{k}": v for k, v in o.items()})
    return data


async def test_office_flow(office):
    http, stub, issuer = office
    for category, rate in (("building_residential", "1,00"), ("land_other", "0,50"),
                           ("building_business", "20,00"), ("land_business", "1,00")):  # fmt: skip
        ok = await http.post("/podatki/stawki", data={"csrf_token": CSRF, "year": str(YEAR),
                                                       "category": category, "rate": rate})  # fmt: skip
        assert ok.status_code == 200, ok.text
    over = await http.post("/podatki/stawki", data={"csrf_token": CSRF, "year": str(YEAR),
                                                     "category": "land_business", "rate": "1,46"})  # fmt: skip
    assert "1,45 zł" in error_for(over.text, "rate_grosze")

    for payer, kind, name in (("P-A1", "person", "Ewa Nowak"), ("P-A2", "person", "Adam Nowak"),
                              ("F-A1", "company", "Młyn Ludwin sp. z o.o.")):  # fmt: skip
        made = await http.post("/podatki/podatnicy", data={"csrf_token": CSRF, "payer_id": payer,
                                                           "kind": kind, "name": name})  # fmt: skip
        assert made.status_code == 303
    bad_pesel = await http.post("/podatki/podatnicy", data={"csrf_token": CSRF, "payer_id": "P-X",
                                                            "kind": "person", "name": "X", "identifier": "123"})  # fmt: skip
    assert "PESEL" in error_for(bad_pesel.text, "identifier")

    # Paper IN-1: bad input named by field, then saved (in force at once).
    house = {"category": "building_residential", "location": "Ludwin 5", "area": "100"}
    land = {"category": "land_other", "location": "Ludwin 5, dz. 5", "area": "1000", "share": "1/2",
            "co_owners": "Adam Nowak 1/2"}  # fmt: skip
    base = {
        "csrf_token": CSRF,
        "form": "IN-1",
        "event_date": "2020-04-01",
        "filed_on": "2020-04-10",
    }
    bad = await http.post("/podatki/podatnicy/P-A1/informacja",
                          data={**base, **rows(house, {**land, "area": "-5"})})  # fmt: skip
    assert bad.status_code == 422 and "ujemna" in error_for(bad.text, "obj-1-area")
    bad = await http.post("/podatki/podatnicy/P-A1/informacja",
                          data={**base, **rows(house, {**land, "co_owners": "Adam Nowak 1/3"})})  # fmt: skip
    assert "sumują się do 5/6" in error_for(bad.text, "obj-1-share")
    saved = await http.post(
        "/podatki/podatnicy/P-A1/informacja", data={**base, **rows(house, land, {})}
    )
    assert saved.status_code == 303
    page = await http.get(f"/podatki/podatnicy/P-A1?rok={YEAR}&data=2026-02-02")
    # 100 × 1.00 + 1 000 × 0.50 × 1/2 = 350 zł
    assert (
        BeautifulSoup(page.text, "html.parser")
        .find(attrs={"data-testid": "preview-tax"})
        .get_text()
        == "350,00\u00a0zł"
    )
    await http.post(
        "/podatki/podatnicy/P-A2/informacja",
        data={**base, **rows({**land, "co_owners": "Ewa Nowak 1/2"})},
    )

    # A resident's draft is rejected with a reason the resident sees.
    resident = call_metadata(issuer.token("res-a2", roles=["resident"], payers=["P-A2"]))
    await stub.FileInformation(
        pb.FileInformationRequest(payer_id="P-A2", event_date=common_pb2.Date(year=2026, month=3, day=3),
                                  objects=[pb.TaxObject(category="land_other", location="dz. 7", area="10")]),
        metadata=resident,
    )  # fmt: skip
    drafts = await http.get("/podatki/zgloszenia")
    filing_id = re.search(r"/podatki/zgloszenia/([0-9a-f-]+)/odrzuc", drafts.text).group(1)
    no_reason = await http.post(
        f"/podatki/zgloszenia/{filing_id}/odrzuc", data={"csrf_token": CSRF}
    )
    assert no_reason.status_code == 422 and "przyczynę" in no_reason.text
    rejected = await http.post(f"/podatki/zgloszenia/{filing_id}/odrzuc",
                               data={"csrf_token": CSRF, "reason": "Brak księgi wieczystej"},
                               follow_redirects=True)  # fmt: skip
    assert "Zgłoszenie odrzucone" in rejected.text
    mine = await stub.ListFilings(pb.ListFilingsRequest(payer_id="P-A2"), metadata=resident)
    assert {(f.status, f.reason) for f in mine.filings} >= {("rejected", "Brak księgi wieczystej")}

    # A company's DN-1 entered from paper: self-assessed, twelve monthly installments.
    dn1 = {"csrf_token": CSRF, "form": "DN-1", "event_date": "2019-12-01", "filed_on": "2026-01-20",
           "year": str(YEAR), "declared_tax": "10500"}  # fmt: skip
    hall = {"category": "building_business", "location": "Ludwin 80", "area": "400"}
    yard = {"category": "land_business", "location": "Ludwin 80", "area": "2400"}
    # 400 m² × 20.00 zł + 2 400 m² × 1.00 zł = 10 400 zł
    wrong = await http.post("/podatki/podatnicy/F-A1/informacja", data={**dn1, **rows(hall, yard)})
    assert "10\u00a0400,00 zł" in error_for(wrong.text, "declared_tax")
    ok = await http.post("/podatki/podatnicy/F-A1/informacja",
                         data={**dn1, "declared_tax": "10400", **rows(hall, yard)})  # fmt: skip
    assert ok.status_code == 303
    company = await http.get("/podatki/podatnicy/F-A1")
    row = BeautifulSoup(company.text, "html.parser").find(
        "tr", attrs={"data-number": re.compile("^DN-1")}
    )
    assert (
        "10\u00a0400,00\u00a0zł" in row.get_text()
        and "styczeń: 866,74\u00a0zł do 02.02.2026" in row.get_text()
    )
    assert "luty: 866,66\u00a0zł do 16.02.2026" in row.get_text()

    # The yearly run issues the persons' decisions once; a payer the office does not know: refused.
    run = await http.post(
        "/podatki/wymiar", data={"csrf_token": CSRF, "year": str(YEAR), "issued_on": "2026-02-02"}
    )
    soup = BeautifulSoup(run.text, "html.parser")
    assert soup.find(attrs={"data-testid": "issued"}).get_text() == "2"
    again = await http.post(
        "/podatki/wymiar", data={"csrf_token": CSRF, "year": str(YEAR), "issued_on": ""}
    )
    assert (
        BeautifulSoup(again.text, "html.parser").find(attrs={"data-testid": "issued"}).get_text()
        == "0"
    )
    unknown = await http.post(
        "/podatki/podatnicy/P-NONE/decyzja", data={"csrf_token": CSRF, "year": str(YEAR)}
    )
    assert unknown.status_code == 404
    page = await http.get("/podatki/podatnicy/P-A1")
    link = BeautifulSoup(page.text, "html.parser").find("a", href=re.compile("^/podatki/decyzje/"))
    pdf = await http.get(link["href"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for path in ("/podatki", "/podatki/zgloszenia?stan=confirmed", "/podatki/podatnicy?q=Nowak",
                 f"/podatki/stawki?rok={YEAR}", "/podatki/podatnicy/F-A1/informacja"):  # fmt: skip
        assert (await http.get(path)).status_code == 200, path
    assert date.today().year >= YEAR
