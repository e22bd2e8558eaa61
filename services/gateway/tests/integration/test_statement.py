"""Historia rozliczeń (the account statement) against real billing, water and waste.

Two charges reach billing through its intake (as the modules send them), a bank transfer is
imported from a statement file; the resident's page, its CSV, its English version and the API
show both charges and the payment with the right running balance; someone else's kartoteka is
a 404 that does not reveal it exists, and bad dates are answered with the field named.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from base64 import b64encode
from datetime import date, timedelta
from types import SimpleNamespace

import httpx
import itsdangerous
import pytest
from bs4 import BeautifulSoup

from billing.app import definition as billing
from billing.context import today as billing_today
from gateway.app import definition as gateway
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal.common.v1 import common_pb2
from portal_platform.config import DEV_SECRET
from portal_platform.messaging.bus import CHARGES_STREAM, Bus
from portal_platform.messaging.outbox import stamp
from portal_platform.rpc.client import call, channel
from waste.app import definition as waste
from waste.assessment.service import installment_title
from water.app import definition as water
from water.settlements.service import title_for

PAYER, OTHER = "P-HIST-1", "P-HIST-2"
WATER_GROSS, WASTE_GROSS, PAID = 24_600, 19_002, 10_000
POLISH_LETTERS = re.compile(r"\w*[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]\w*")
pytestmark = pytest.mark.timeout(240)


def session_cookie(data: dict) -> str:
    """A cookie as Starlette's SessionMiddleware signs it (the login stores "user")."""
    signer = itsdangerous.TimestampSigner(DEV_SECRET)
    return signer.sign(b64encode(json.dumps(data).encode())).decode()


def resident(token: str, payers: list[str]) -> dict:
    return {"subject": "acc-hist", "name": "Zofia Żółkiewska", "email": "z@example.pl",
            "state": "verified", "access_token": token, "roles": ["resident"],
            "payers": payers}  # fmt: skip


def charge(module: str, key: str, title: str, gross: int, due: date) -> billing_pb2.ChargeRequested:
    ev = billing_pb2.ChargeRequested(
        payer_id=PAYER,
        module=module,
        idempotency_key=key,
        document_kind=billing_pb2.DOCUMENT_KIND_INVOICE,
        title=title,
        lines=[
            billing_pb2.ChargeLine(
                description="Woda",
                quantity="1",
                unit="m3",
                unit_net_grosze=gross - gross * 8 // 108,
                net_grosze=gross - gross * 8 // 108,
                vat_rate="8",
                vat_grosze=gross * 8 // 108,
                gross_grosze=gross,
            )
        ],
        due_dates=[common_pb2.Date(year=due.year, month=due.month, day=due.day)],
        payer=billing_pb2.PayerDetails(name="Zofia Żółkiewska", address="Ludwin 7, 21-075 Ludwin"),
    )
    stamp(ev, module)
    return ev


@pytest.fixture
async def system(start_service, nats_url, issuer):
    billing_rt = await start_service(billing, sandbox_settlement_delay_s=60.0)
    modules = {"water": await start_service(water), "waste": await start_service(waste)}
    grpc = {n: f"127.0.0.1:{rt.grpc_server.port}" for n, rt in modules.items()}
    grpc["billing"] = f"127.0.0.1:{billing_rt.grpc_server.port}"
    gw = await start_service(
        gateway,
        grpc_services=",".join(f"{n}={a}" for n, a in grpc.items()),
        http_services=f"billing=http://127.0.0.1:{billing_rt.settings.http_port}/healthz",
        PORTAL_MODULES=f"water={grpc['water']},waste={grpc['waste']}",
    )

    # the modules' charges, as water and waste publish them to billing's intake
    premises = SimpleNamespace(number="PP-000007", address="Ludwin 7, 21-075 Ludwin")
    plan = SimpleNamespace(period_from=date(2026, 6, 1), period_to=date(2026, 11, 30))
    water_title, waste_title = (
        title_for(premises, plan, estimated=False),
        installment_title(2099, 1),
    )
    bus = await Bus.connect(nats_url, name="test-modules")
    await bus.ensure_stream(CHARGES_STREAM)
    for ev in (
        charge("water", "w-1", water_title, WATER_GROSS, date(2099, 3, 15)),
        charge("waste", "o-1", waste_title, WASTE_GROSS, date(2099, 5, 15)),
    ):
        subject = f"portal.charges.{ev.module}.requested.v1"
        await bus.publish(subject, ev.SerializeToString(), msg_id=ev.meta.event_id)
    await bus.close()

    token = issuer.token("acc-hist", roles=["resident"], payers=[PAYER], ttl=3600)
    ch = channel(grpc["billing"])
    stub = billing_pb2_grpc.BillingServiceStub(ch)
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        found = await call(
            stub.ListCharges, billing_pb2.ListChargesRequest(payer_id=PAYER), token=token
        )
        if len(found.charges) == 2:
            break
        assert asyncio.get_running_loop().time() < deadline, "the charges did not reach billing"
        await asyncio.sleep(0.2)

    # a bank transfer of 100,00 zł to the payer's virtual account, from the bank statement
    payer = await call(stub.GetPayer, billing_pb2.GetPayerRequest(payer_id=PAYER), token=token)
    paid_on = billing_today()
    lines = "data;kwota;rachunek_wirtualny;nadawca;tytul\n"
    lines += f"{paid_on};100,00;{payer.payer.virtual_account};Z. Żółkiewska;opłata za wodę\n"
    clerk = issuer.token("clerk", roles=["clerk"])
    imported = await call(
        stub.ImportStatement,
        billing_pb2.ImportStatementRequest(filename="wyciag.csv", content=lines.encode()),
        token=clerk,
    )
    assert imported.matched == 1
    await ch.close()

    web = httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw.settings.http_port}", timeout=30)
    web.cookies.set(
        "portal_session", session_cookie({"user": resident(token, [PAYER]), "csrf_token": "t"})
    )
    api = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{gw.settings.http_port}/api/v1",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    yield SimpleNamespace(
        web=web,
        api=api,
        gateway=f"http://127.0.0.1:{gw.settings.http_port}",
        issuer=issuer,
        water_title=water_title,
        waste_title=waste_title,
        paid_on=paid_on,
    )
    await web.aclose()
    await api.aclose()


def rows(html: str) -> list[dict]:
    table = BeautifulSoup(html, "html.parser").select_one("section.statement table")
    assert table is not None
    assert table.caption is not None and table.caption.get_text(strip=True)
    assert all(th.get("scope") == "col" for th in table.select("thead th"))
    return [
        {
            "kind": tr["data-kind"],
            "text": tr.get_text(" ", strip=True),
            "cells": [td.get("data-grosze") for td in tr.find_all("td")[3:]],
            "link": (tr.find("a") or {}).get("href", ""),
        }
        for tr in table.select("tbody tr[data-kind]")
    ]


def balance(html: str, which: str) -> int:
    found = BeautifulSoup(html, "html.parser").find(id=which)
    assert found is not None
    return int(found["data-balance"])


async def test_statement_shows_charges_and_payment_with_balances(system):
    web = system.web
    page = await web.get("/naleznosci/historia")
    assert page.status_code == 200, page.text[:500]
    assert "<h1>Historia rozliczeń</h1>" in page.text
    assert "Saldo dodatnie — do zapłaty; ujemne — nadpłata." in page.text
    # default period: from 1 January of this year to today
    soup = BeautifulSoup(page.text, "html.parser")
    on = date.fromisoformat(soup.find(id="do")["value"])
    assert soup.find(id="od")["value"] == f"{on.year}-01-01"
    # the module list comes from the configured modules, not from the template
    options = [o["value"] for o in soup.select("#modul option")]
    assert options == ["", "water", "waste"]

    entries = rows(page.text)
    assert [e["kind"] for e in entries] == ["charge", "charge", "payment"]
    water, waste, payment = entries
    assert system.water_title in water["text"] and system.waste_title in waste["text"]
    assert "Wpłata na rachunek: opłata za wodę" in payment["text"]
    assert water["cells"] == [str(WATER_GROSS), "0", str(WATER_GROSS)]
    assert waste["cells"] == [str(WASTE_GROSS), "0", str(WATER_GROSS + WASTE_GROSS)]
    closing = WATER_GROSS + WASTE_GROSS - PAID
    assert payment["cells"] == ["0", str(PAID), str(closing)]
    assert balance(page.text, "saldo-poczatkowe") == 0
    assert balance(page.text, "saldo-koncowe") == closing
    assert "336,02\u00a0zł" in page.text and "(do zapłaty)" in page.text

    # the invoice number opens the PDF the resident owns, in Dokumenty
    assert water["link"].startswith("/dokumenty/") and water["link"].endswith("/pobierz")
    pdf = await web.get(water["link"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # one module: its charge and what of the payment went to it
    only_water = await web.get("/naleznosci/historia?modul=water")
    assert only_water.status_code == 200
    shown = rows(only_water.text)
    assert system.waste_title not in only_water.text
    assert shown[0]["kind"] == "charge" and system.water_title in shown[0]["text"]
    assert balance(only_water.text, "saldo-koncowe") == sum(
        int(e["cells"][0]) - int(e["cells"][1]) for e in shown
    )

    # a later period opens with the balance carried over; an earlier one is empty
    tomorrow = system.paid_on + timedelta(days=1)
    later = await web.get(f"/naleznosci/historia?od={tomorrow}&do={tomorrow}")
    assert balance(later.text, "saldo-poczatkowe") == closing
    assert balance(later.text, "saldo-koncowe") == closing
    assert "W wybranym okresie nie ma żadnych operacji." in later.text
    earlier = await web.get("/naleznosci/historia?od=2020-01-01&do=2020-12-31")
    assert rows(earlier.text) == [] and balance(earlier.text, "saldo-koncowe") == 0

    # quick links keep the kartoteka and the module
    quick = {
        a["data-quick"]: a["href"]
        for a in BeautifulSoup(only_water.text, "html.parser").select("a[data-quick]")
    }
    assert set(quick) == {"ten-rok", "poprzedni-rok", "12-miesiecy"}
    assert f"od={on.year - 1}-01-01&do={on.year - 1}-12-31" in quick["poprzedni-rok"]
    assert all(f"platnik={PAYER}" in h and "modul=water" in h for h in quick.values())

    # linked from Należności and from the Pulpit
    for path in ("/naleznosci", "/"):
        linked = await web.get(path)
        assert f'href="/naleznosci/historia?platnik={PAYER}"' in linked.text, path


async def test_statement_as_csv_for_excel(system):
    got = await system.web.get(f"/naleznosci/historia.csv?platnik={PAYER}")
    assert got.status_code == 200
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    assert got.headers["content-disposition"].startswith("attachment; filename*=UTF-8''")
    assert f"historia-rozliczen-{PAYER}-" in got.headers["content-disposition"]
    assert got.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    table = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Data", "Opis", "Sekcja", "Numer dokumentu", "Naliczono",
                        "Wpłacono / uznano", "Saldo po operacji"]  # fmt: skip
    on = system.paid_on
    assert table[1] == [f"{on.year}-01-01", "Saldo początkowe", "", "", "", "", "0,00"]
    water, waste, payment = table[2:5]
    assert water[1] == system.water_title and water[2] == "Woda i ścieki"
    assert water[3].startswith("FV/") and water[4:] == ["246,00", "", "246,00"]
    assert waste[4:] == ["190,02", "", "436,02"]
    assert payment == [
        on.isoformat(), "Wpłata na rachunek: opłata za wodę", "", "", "", "100,00", "336,02"
    ]  # fmt: skip
    assert table[5] == [on.isoformat(), "Saldo końcowe", "", "", "", "", "336,02"]
    assert len(table) == 6


async def test_statement_in_english(system):
    web = system.web
    page = await web.get("/naleznosci/historia?lang=en")
    assert page.status_code == 200
    assert '<html lang="en"' in page.text and "<h1>Account statement</h1>" in page.text
    assert "A positive balance is to be paid; a negative one is an overpayment." in page.text
    assert "Municipal waste fee — installment 1/2099" in page.text
    assert "Invoice for water and sewage 01.06.2026–30.11.2026" in page.text
    assert 'Payment to the account: <span lang="pl">opłata za wodę</span>' in page.text
    main = BeautifulSoup(page.text, "html.parser").find("main")
    for marked in main.select('[lang="pl"]'):
        marked.decompose()
    assert POLISH_LETTERS.findall(" ".join(main.stripped_strings).replace("zł", "")) == []
    english_csv = await web.get("/naleznosci/historia.csv?lang=en")
    first = english_csv.content.decode("utf-8-sig").splitlines()
    assert (
        first[0] == "Date;Description;Section;Document number;Charged;Paid / credited;Balance after"
    )
    assert "Payment to the account: opłata za wodę" in first[4]


async def test_bad_input_names_the_field_and_other_kartoteka_is_not_found(system):
    web = system.web
    bad = await web.get("/naleznosci/historia?od=pierwszy+stycznia")
    assert bad.status_code == 422
    soup = BeautifulSoup(bad.text, "html.parser")
    assert (
        "Pole „Od dnia”: podaj datę w formacie RRRR-MM-DD" in soup.select_one(".error-summary").text
    )
    field = soup.find(id="od")
    assert field["aria-invalid"] == "true" and "od-blad" in field["aria-describedby"]
    assert field["value"] == "pierwszy stycznia"  # what was typed stays to be corrected
    assert soup.select("section.statement") == []

    reversed_ = await web.get("/naleznosci/historia?od=2026-12-01&do=2026-01-01")
    assert reversed_.status_code == 422
    assert "data początkowa jest późniejsza niż data końcowa" in reversed_.text
    bad_end = await web.get("/naleznosci/historia?do=2026-02-30&lang=en")
    assert bad_end.status_code == 422 and "Field “To”: enter a date as YYYY-MM-DD" in bad_end.text
    assert BeautifulSoup(bad_end.text, "html.parser").find(id="do")["aria-invalid"] == "true"
    module = await web.get("/naleznosci/historia?modul=podatki&lang=pl")
    assert module.status_code == 422 and "Pole „Sekcja”: wybierz sekcję z listy." in module.text
    assert (await web.get("/naleznosci/historia.csv?od=x")).status_code == 422

    # someone else's kartoteka and one that does not exist: the same 404
    other = await web.get(f"/naleznosci/historia?platnik={OTHER}")
    nobody = await web.get("/naleznosci/historia?platnik=P-NOPE")
    assert other.status_code == nobody.status_code == 404
    assert "Nie znaleziono kartoteki." in other.text
    assert other.text.replace(OTHER, "X") == nobody.text.replace("P-NOPE", "X")
    assert (await web.get(f"/naleznosci/historia.csv?platnik={OTHER}")).status_code == 404


async def test_statement_in_the_api(system):
    api = system.api
    got = await api.get(f"/payers/{PAYER}/statement")
    assert got.status_code == 200, got.text
    body = got.json()
    on = system.paid_on
    assert body["date_from"] == f"{on.year}-01-01" and body["date_to"] == on.isoformat()
    assert body["opening_balance_grosze"] == 0
    assert body["closing_balance_grosze"] == WATER_GROSS + WASTE_GROSS - PAID
    assert body["debit_total_grosze"] == WATER_GROSS + WASTE_GROSS
    assert body["credit_total_grosze"] == PAID
    kinds = [(e["kind"], e["debit_grosze"], e["credit_grosze"]) for e in body["entries"]]
    assert kinds == [("charge", WATER_GROSS, 0), ("charge", WASTE_GROSS, 0), ("payment", 0, PAID)]
    invoice = body["entries"][0]
    assert invoice["download_url"] == f"/api/v1/documents/{invoice['document_id']}/file"
    assert (await api.get(invoice["download_url"].removeprefix("/api/v1"))).status_code == 200

    water = (await api.get(f"/payers/{PAYER}/statement", params={"module": "water"})).json()
    assert {e["module"] for e in water["entries"]} == {"water"}

    other = system.issuer.token("someone", roles=["resident"], payers=[OTHER])
    hidden = await api.get(
        f"/payers/{PAYER}/statement", headers={"Authorization": f"Bearer {other}"}
    )
    assert hidden.status_code == 404 and hidden.json()["error"]["status"] == 404

    for params, field in (
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_to": "jutro"}, "date_to"),
        ({"date_from": "2026-12-01", "date_to": "2026-01-01"}, "date_from"),
        ({"module": "nie-ma"}, "module"),
        ({"module": "podatki"}, "module"),
    ):
        bad = await api.get(f"/payers/{PAYER}/statement", params=params)
        assert bad.status_code == 422, (params, bad.text)
        assert bad.json()["error"]["field"] == field, params

    schema = (await api.get("/openapi.json")).json()
    operation = schema["paths"]["/payers/{payer_id}/statement"]["get"]
    assert {"200", "404", "422"} <= set(operation["responses"])
