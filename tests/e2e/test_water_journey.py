"""Water end to end over HTTP: the clerk sets up tariffs and a premises in admin, the resident
submits a reading in the gateway and sees the preview, a lower reading is refused, the clerk
corrects the reading with a reason, billing books the invoice with lines before/after the tariff
change, and the resident sees it listed.

Real water and billing services (gRPC, NATS, database); gateway and admin apps over HTTP.
"""

from __future__ import annotations

import asyncio
import re

import grpc
import httpx
import pytest
from bs4 import BeautifulSoup

from admin.app import create_app as create_admin
from admin.app import definition as admin
from admin.auth import CurrentClerk, require_clerk
from billing.app import definition as billing
from gateway.app import create_app as create_gateway
from gateway.app import definition as gateway
from gateway.auth import CurrentUser, require_verified
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal_platform.rpc.client import call_metadata
from portal_platform.service import Runtime
from water.app import definition as water

PAYER = "P-E2E-W"
OTHER = "P-E2E-X"
pytestmark = pytest.mark.timeout(180)
PRICES = [
    ("water", "m3", "4,00", "4,20"),
    ("sewage", "m3", "10,00", "10,50"),
    ("abonament_water", "month", "5,00", "5,20"),
    ("abonament_sewage", "month", "3,00", "3,10"),
]


def soup(resp: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(resp.text, "html.parser")


def csrf(resp: httpx.Response) -> str:
    return str(soup(resp).find("input", {"name": "csrf_token"})["value"])


class System:
    """Billing + water running; gateway (resident) and admin (clerk) apps over HTTP."""

    def __init__(self, billing_rt: Runtime, water_rt: Runtime, issuer) -> None:
        self.billing_rt = billing_rt
        services = (
            f"water=127.0.0.1:{water_rt.grpc_server.port},"
            f"billing=127.0.0.1:{billing_rt.grpc_server.port}"
        )
        self.resident_token = issuer.token("res-w", roles=["resident"], payers=[PAYER])
        gw = create_gateway(
            Runtime(
                gateway,
                gateway.settings_cls.model_validate({"env": "test", "grpc_services": services}),
            )
        )
        user = CurrentUser(
            subject="res-w",
            name="Anna Nowak",
            email="anna@example.pl",
            state="verified",
            access_token=self.resident_token,
            roles=("resident",),
            payers=(PAYER,),
        )
        gw.dependency_overrides[require_verified] = lambda: user
        adm = create_admin(
            Runtime(
                admin, admin.settings_cls.model_validate({"env": "test", "grpc_services": services})
            )
        )
        clerk = CurrentClerk(
            subject="clerk-w",
            name="Urzędnik",
            email="u@gmina.pl",
            access_token=issuer.token("clerk-w", roles=["clerk"]),
            roles=("clerk",),
        )
        adm.dependency_overrides[require_clerk] = lambda: clerk
        self.resident = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gw), base_url="http://gateway.test"
        )
        self.clerk = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=adm), base_url="http://admin.test"
        )
        self.billing_ch = grpc.aio.insecure_channel(f"127.0.0.1:{billing_rt.grpc_server.port}")

    async def close(self) -> None:
        await self.resident.aclose()
        await self.clerk.aclose()
        await self.billing_ch.close()

    async def clerk_post(self, page: str, action: str, data: dict[str, str]) -> httpx.Response:
        token = csrf(await self.clerk.get(page))
        return await self.clerk.post(action, data={"csrf_token": token, **data})

    async def set_up(self) -> tuple[str, dict[str, str]]:
        """Tariffs with a change on 29.07.2025 and a premises with a main and a garden meter."""
        for component, unit, before, after in PRICES:
            for price, start in ((before, "2025-01-01"), (after, "2025-07-29")):
                r = await self.clerk_post(
                    "/woda/taryfy",
                    "/woda/taryfy",
                    {
                        "group": "household",
                        "component": component,
                        "unit": unit,
                        "net_price": price,
                        "valid_from": start,
                    },
                )
                assert r.status_code == 303, r.text
        premises = []
        for payer, address in ((PAYER, "ul. Zielona 3, Ludwin"), (OTHER, "ul. Obca 1, Ludwin")):
            r = await self.clerk_post(
                "/woda/punkty",
                "/woda/punkty",
                {"payer_id": payer, "address": address, "group": "household", "sewer": "1"},
            )
            assert r.status_code == 303, r.text
            page = r.headers["location"]
            premises.append(page.rsplit("/", 1)[1])
            for kind, serial, initial in (
                ("main", f"M-{payer}", "100"),
                ("garden", f"G-{payer}", "0"),
            ):
                r = await self.clerk_post(
                    page,
                    f"{page}/wodomierze",
                    {
                        "kind": kind,
                        "serial": serial,
                        "installed_on": "2025-05-31",
                        "initial_m3": initial,
                        "legalised_on": "2025-01-10",
                    },
                )
                assert r.status_code == 303, r.text
        form = soup(await self.resident.get(f"/woda/odczyt?punkt={premises[0]}"))
        fields = {}
        for label in form.find_all("label"):
            target = label.get("for", "")
            if target.startswith("value_"):
                fields["main" if "główny" in label.text else "garden"] = target
        return premises[0] if premises else "", fields | {"other": premises[1]}

    async def charges(self) -> list[billing_pb2.Charge]:
        stub = billing_pb2_grpc.BillingServiceStub(self.billing_ch)
        resp = await stub.ListCharges(
            billing_pb2.ListChargesRequest(payer_id=PAYER, module="water"),
            metadata=call_metadata(self.resident_token),
        )
        return list(resp.charges)


@pytest.fixture
async def system(start_service, issuer):
    billing_rt = await start_service(billing)
    water_rt = await start_service(water)
    s = System(billing_rt, water_rt, issuer)
    yield s
    await s.close()


async def test_resident_reading_preview_refusal_correction_and_invoice(system):
    premises_id, fields = await system.set_up()
    main, garden = fields["main"], fields["garden"]
    form_page = await system.resident.get(f"/woda/odczyt?punkt={premises_id}")
    assert form_page.status_code == 200
    page = soup(form_page)
    token = page.find("input", {"name": "idempotency_token"})["value"]
    base = {
        "csrf_token": csrf(form_page),
        "premises_id": premises_id,
        "idempotency_token": token,
        "reading_date": "2025-08-31",
    }

    # preview without JavaScript: the whole form comes back with the invoice under it
    preview = await system.resident.post(
        "/woda/odczyt/podglad", data={**base, main: "199", garden: "12"}
    )
    assert preview.status_code == 200
    assert "Podgląd faktury" in preview.text and "Woda 01.06–28.07.2025" in preview.text
    # the script's fragment
    fragment = await system.resident.post(
        "/woda/odczyt/podglad", headers={"X-Podglad": "1"}, data={**base, main: "199", garden: "12"}
    )
    assert "<html" not in fragment.text and "Do zapłaty" in fragment.text

    sent = await system.resident.post("/woda/odczyt", data={**base, main: "199", garden: "12"})
    assert sent.status_code == 303
    reading_url = sent.headers["location"].split("?")[0]
    again = await system.resident.post("/woda/odczyt", data={**base, main: "199", garden: "12"})
    assert again.headers["location"].split("?")[0] == reading_url  # one reading, not two
    shown = await system.resident.get(sent.headers["location"])
    assert "czeka na weryfikację" in shown.text and "Podgląd faktury" in shown.text

    # a lower reading is refused with a clear message tied to the field
    fresh = await system.resident.get(f"/woda/odczyt?punkt={premises_id}")
    lower = await system.resident.post(
        "/woda/odczyt",
        data={
            **base,
            "csrf_token": csrf(fresh),
            "idempotency_token": "another-form",
            main: "90",
            garden: "12",
        },
    )
    assert lower.status_code == 422
    field = soup(lower).find("input", {"name": main})
    assert field["aria-invalid"] == "true"
    message = soup(lower).find(id=f"{main}-blad").text
    assert "niższy niż poprzedni odczyt" in message and "100 m³" in message
    assert f"{main}-blad" in field["aria-describedby"]

    # the clerk corrects the reading with a reason the resident sees
    reading_id = reading_url.rsplit("/", 1)[1]
    queue = await system.clerk.get("/woda/odczyty")
    assert reading_id in queue.text
    decision_page = await system.clerk.get(f"/woda/odczyty/{reading_id}")
    clerk_main = next(
        i["name"]
        for i in soup(decision_page).find_all("input")
        if i.get("name", "").startswith("value_") and i.get("value") == "199"
    )
    clerk_garden = next(
        i["name"]
        for i in soup(decision_page).find_all("input")
        if i.get("name", "").startswith("value_") and i.get("value") == "12"
    )
    no_reason = await system.clerk.post(
        f"/woda/odczyty/{reading_id}/decyzja",
        data={
            "csrf_token": csrf(decision_page),
            "decision": "correct",
            clerk_main: "190",
            clerk_garden: "12",
        },
    )
    assert no_reason.status_code == 422 and "zobaczy je mieszkaniec" in no_reason.text
    fixed = await system.clerk.post(
        f"/woda/odczyty/{reading_id}/decyzja",
        data={
            "csrf_token": csrf(decision_page),
            "decision": "correct",
            "reason": "Zdjęcie licznika pokazuje 190 m³",
            clerk_main: "190",
            clerk_garden: "12",
        },
    )
    assert fixed.status_code == 303

    # billing books the invoice with the lines before and after the tariff change
    charges: list[billing_pb2.Charge] = []
    for _ in range(200):
        charges = await system.charges()
        if charges:
            break
        await asyncio.sleep(0.1)
    assert len(charges) == 1
    charge = charges[0]
    assert charge.idempotency_key == reading_id
    assert charge.document_kind == billing_pb2.DOCUMENT_KIND_INVOICE
    water_lines = [
        (x.quantity, x.unit_net_grosze, x.net_grosze)
        for x in charge.lines
        if x.description.startswith("Woda ")
    ]
    assert water_lines == [("56.74", 400, 22696), ("33.26", 420, 13969)]
    assert charge.gross_grosze == 128023  # the golden example of domain.md

    # ... and the resident sees it listed, with the clerk's reason
    section = await system.resident.get("/woda")
    table = soup(section).find("table", {"data-testid": f"faktury-{PAYER}"})
    assert "1\u00a0280,23\u00a0zł" in table.text and "wystawiona" in table.text
    details = await system.resident.get(reading_url)
    assert "poprawiony przez urząd" in details.text
    assert (
        "Zdjęcie licznika pokazuje 190 m³"
        in soup(details).find(attrs={"data-testid": "reason"}).text
    )
    assert "widoczna w Należnościach" in details.text

    charts = await system.resident.get(f"/woda/wykresy?punkt={premises_id}")
    assert charts.status_code == 200 and 'role="img"' in charts.text
    assert "90 m³" in soup(charts).find("table").text
    history = await system.resident.get(f"/woda/historia?punkt={premises_id}")
    assert "poprawiony przez urząd" in history.text and "podano 199" in history.text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("sto", "liczbą całkowitą"),
        ("-5", "nie może być ujemny"),
        ("150,5", "bez części po przecinku"),
    ],
)
async def test_bad_input_in_the_reading_form(system, value, message):
    premises_id, fields = await system.set_up()
    form_page = await system.resident.get(f"/woda/odczyt?punkt={premises_id}")
    resp = await system.resident.post(
        "/woda/odczyt",
        data={
            "csrf_token": csrf(form_page),
            "premises_id": premises_id,
            "idempotency_token": "t1",
            "reading_date": "2025-08-31",
            fields["main"]: value,
            fields["garden"]: "1",
        },
    )
    assert resp.status_code == 422
    assert message in soup(resp).find(id=f"{fields['main']}-blad").text
    assert soup(resp).find(attrs={"role": "alert"}) is not None
    bad_date = await system.resident.post(
        "/woda/odczyt",
        data={
            "csrf_token": csrf(form_page),
            "premises_id": premises_id,
            "idempotency_token": "t2",
            "reading_date": "31.08.2025",
            fields["main"]: "150",
            fields["garden"]: "1",
        },
    )
    assert bad_date.status_code == 422 and "RRRR-MM-DD" in bad_date.text
    # someone else's premises: "not found", exactly as a premises that does not exist
    other = await system.resident.post(
        "/woda/odczyt",
        data={
            "csrf_token": csrf(form_page),
            "premises_id": fields["other"],
            "idempotency_token": "t3",
            "reading_date": "2025-08-31",
        },
    )
    missing = await system.resident.get("/woda/odczyt?punkt=does-not-exist")
    assert other.status_code == missing.status_code == 404
    assert re.sub(r"\s+", " ", soup(other).find("main").text) == re.sub(
        r"\s+", " ", soup(missing).find("main").text
    )
    no_csrf = await system.resident.post("/woda/odczyt", data={"premises_id": premises_id})
    assert no_csrf.status_code == 403


async def test_clerk_bulk_accepts_from_the_queue(system):
    premises_id, fields = await system.set_up()
    form_page = await system.resident.get(f"/woda/odczyt?punkt={premises_id}")
    sent = await system.resident.post(
        "/woda/odczyt",
        data={
            "csrf_token": csrf(form_page),
            "premises_id": premises_id,
            "idempotency_token": "b1",
            "reading_date": "2025-08-31",
            fields["main"]: "190",
            fields["garden"]: "12",
        },
    )
    reading_id = sent.headers["location"].split("?")[0].rsplit("/", 1)[1]
    queue = await system.clerk.get("/woda/odczyty")
    resp = await system.clerk.post(
        "/woda/odczyty/przyjmij",
        data={"csrf_token": csrf(queue), "reading_id": [reading_id], "back": "/woda/odczyty"},
    )
    assert resp.status_code == 303
    after = await system.clerk.get(resp.headers["location"])
    assert "Przyjęto odczytów: 1" in after.text
    for _ in range(200):
        if await system.charges():
            break
        await asyncio.sleep(0.1)
    assert [c.gross_grosze for c in await system.charges()] == [128023]
    for page in (
        "/woda",
        "/woda/punkty",
        "/woda/wodomierze?wszystkie=1",
        "/woda/taryfy",
        "/woda/kampanie?grupa=household&termin=2025-11-30",
        f"/woda/punkty/{premises_id}",
    ):
        got = await system.clerk.get(page)
        assert got.status_code == 200, page
    campaign = await system.clerk.get("/woda/kampanie?grupa=household&termin=2025-11-30")
    assert soup(campaign).find(attrs={"data-testid": "missing"}).text == "1"
