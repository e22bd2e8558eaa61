"""Admin Rozliczenia end to end: payer ledger, cash with bad precision, statement import with a
broken line (twice), the unmatched queue, correction, refund, reminders, arrears CSV.

Real billing service (gRPC, database) and the admin app driven over HTTP as a clerk.
"""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from bs4 import BeautifulSoup

from admin.app import create_app
from admin.app import definition as admin
from admin.auth import CurrentClerk, require_clerk
from billing.app import definition as billing
from billing.charges.intake import intake
from billing.charges.schemas import ChargeIn, LineIn
from billing.context import Context
from billing.payers.models import Payer
from portal_platform.service import Runtime

pytestmark = pytest.mark.timeout(180)


def charge(payer: str, gross: int, key: str, due: date) -> ChargeIn:
    from decimal import Decimal

    return ChargeIn(
        event_id=key,
        payer_id=payer,
        module="waste",
        idempotency_key=key,
        document_kind="fee_notice",
        title="Opłata za odpady",
        lines=(LineIn("Opłata", Decimal(1), "szt.", gross, gross, "zw", 0, gross),),
        due_dates=(due,),
        payer_name="Jan Kowalski",
        payer_address="Ludwin 3",
    )


@pytest.fixture
async def office(start_service, issuer):
    rt = await start_service(billing)
    async with rt.db.transaction() as s:
        await intake(
            s,
            Context.from_settings(rt.settings),
            [
                charge("P-A1", 42_000, "a1", date(2026, 3, 15)),
                charge("P-A2", 10_000, "a2", date(2099, 3, 15)),
            ],
        )
    settings = admin.settings_cls.model_validate(
        {"env": "test", "grpc_services": f"billing=127.0.0.1:{rt.grpc_server.port}"}
    )
    app = create_app(Runtime(admin, settings))
    clerk = CurrentClerk(
        "clerk-1",
        "Anna Urzędniczka",
        "anna@ludwin.pl",
        issuer.token("clerk-1", roles=["clerk"]),
        ("clerk",),
    )
    app.dependency_overrides[require_clerk] = lambda: clerk
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://admin.test")
    yield rt, http
    await http.aclose()


async def csrf(http: httpx.AsyncClient, path: str) -> str:
    page = await http.get(path)
    assert page.status_code == 200, page.text
    return BeautifulSoup(page.text, "html.parser").find("input", {"name": "csrf_token"})["value"]


def error_for(html: str, field: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    control = soup.find(id=field)
    assert control is not None and control.get("aria-invalid") == "true", field
    return soup.find(id=control["aria-describedby"]).get_text(strip=True)


async def test_payer_ledger_cash_statement_queue_correction_refund(office):
    rt, http = office
    period = await http.get("/rozliczenia/platnik/P-A1?od=2020-01-01&do=2020-12-31")
    assert period.status_code == 200 and "Saldo na początek okresu: 0,00" in period.text
    listing = await http.get("/rozliczenia?q=P-A")
    assert "P-A1" in listing.text and "P-A2" in listing.text
    token = await csrf(http, "/rozliczenia/platnik/P-A2")

    bad = await http.post(
        "/rozliczenia/platnik/P-A2/wplata",
        data={"csrf_token": token, "amount": "12,345", "reference": "KP/1"},
    )
    assert bad.status_code == 422 and "dokładnością do grosza" in error_for(bad.text, "amount")

    async with rt.db.sessions() as s:
        account = (await s.get(Payer, "P-A2")).virtual_account
    content = (
        f"data;kwota;rachunek_wirtualny;nadawca;tytul\n2026-03-01;100,00;{account};Jan;opłata\n"
        "2026-03-01;abc;;X;zła kwota\n2026-03-02;25,00;;Ktoś;darowizna\n"
    ).encode()
    token = await csrf(http, "/rozliczenia/wyciagi")
    files = {"file": ("wyciag.csv", content, "text/csv")}
    first = await http.post("/rozliczenia/wyciagi", data={"csrf_token": token}, files=files)
    assert first.status_code == 200
    assert "nowych 2" in first.text and "wiersz 3: nieprawidłowa kwota" in first.text
    second = await http.post("/rozliczenia/wyciagi", data={"csrf_token": token}, files=files)
    assert "nowych 0" in second.text and "już zaimportowanych wcześniej 2" in second.text
    soup = BeautifulSoup(second.text, "html.parser")
    assign = soup.find("form", action=re.compile(r"/przypisz$"))["action"]
    empty = await http.post(assign, data={"csrf_token": token, "payer_id": ""})
    assert empty.status_code == 422
    ok = await http.post(assign, data={"csrf_token": token, "payer_id": "P-A2"})
    assert ok.status_code == 303

    page = await http.get("/rozliczenia/platnik/P-A2")
    assert "25,00" in page.text  # credit from the assigned line
    doc = BeautifulSoup(page.text, "html.parser").find("a", href=re.compile(r"/korekta\?"))["href"]
    token = await csrf(http, doc)
    corrected = await http.post(
        doc.split("?")[0],
        data={
            "csrf_token": token,
            "reason": "Zmiana liczby osób",
            "payer_id": "P-A2",
            "description_0": "Opłata po korekcie",
            "net_0": "80,00",
            "vat_rate_0": "zw",
            "vat_0": "0",
            "gross_0": "80,00",
        },
    )
    assert corrected.status_code == 303
    page = await http.get("/rozliczenia/platnik/P-A2")
    assert "Faktura korygująca" in page.text
    token = await csrf(http, "/rozliczenia/platnik/P-A2")
    bad_iban = await http.post(
        "/rozliczenia/platnik/P-A2/zwrot",
        data={
            "csrf_token": token,
            "amount": "45,00",
            "bank_account": "PL12 3456",
            "reason": "wniosek",
        },
    )
    assert bad_iban.status_code == 422 and "rachunku" in error_for(bad_iban.text, "bank_account")
    refunded = await http.post(
        "/rozliczenia/platnik/P-A2/zwrot",
        data={
            "csrf_token": token,
            "amount": "45,00",
            "bank_account": "61109010140000071219812874",
            "reason": "wniosek",
        },
    )
    assert refunded.status_code == 303


async def test_reminders_and_arrears_csv(office):
    _rt, http = office
    preview = await http.get("/rozliczenia/upomnienia?na_dzien=2026-06-01")
    assert "P-A1" in preview.text and "P-A2" not in preview.text
    token = BeautifulSoup(preview.text, "html.parser").find("input", {"name": "csrf_token"})[
        "value"
    ]
    issued = await http.post(
        "/rozliczenia/upomnienia", data={"csrf_token": token, "na_dzien": "2026-06-01"}
    )
    assert "Wystawiono upomnień: 1" in issued.text and "UPO/O/2026/06/000001" in issued.text
    csv = await http.get("/rozliczenia/zaleglosci.csv?modul=waste&na_dzien=2026-06-01")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("kartoteka;") and lines[1].startswith(
        "P-A1;Jan Kowalski;waste;420,00;"
    )
    bad = await http.get("/rozliczenia/zaleglosci?na_dzien=wczoraj")
    assert bad.status_code == 422
