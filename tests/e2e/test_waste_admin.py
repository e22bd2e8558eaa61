"""Back office "Odpady" over HTTP against a real waste service: properties, paper declaration,
rates above the cap refused, schedule, assessment preview and run (twice), drafts confirmed."""

from __future__ import annotations

import re

import httpx
import pytest
from bs4 import BeautifulSoup

from admin.app import create_app
from admin.app import definition as admin
from admin.auth import CurrentClerk, require_clerk
from portal.common.v1 import common_pb2
from portal.waste.v1 import waste_pb2, waste_pb2_grpc
from portal_platform.rpc.client import call_metadata
from portal_platform.service import Runtime
from waste.app import definition as waste

YEAR = 2027
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
async def office(start_service, issuer):
    waste_rt = await start_service(waste)
    settings = admin.settings_cls.model_validate(
        {"env": "test", "grpc_services": f"waste=127.0.0.1:{waste_rt.grpc_server.port}"}
    )
    app = create_app(Runtime(admin, settings))
    clerk = CurrentClerk("clerk-1", "Anna Urzędniczka", "anna@ludwin.pl",
                         issuer.token("clerk-1", roles=["clerk"]), ("clerk",))  # fmt: skip
    app.dependency_overrides[require_clerk] = lambda: clerk
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://admin.test"
    ) as http:
        yield http, waste_rt


async def csrf(http: httpx.AsyncClient, path: str) -> str:
    page = await http.get(path)
    assert page.status_code == 200, page.text
    return BeautifulSoup(page.text, "html.parser").find("input", {"name": "csrf_token"})["value"]


def invalid_field(html: str, field: str) -> str:
    el = BeautifulSoup(html, "html.parser").find(id=field)
    assert el is not None and el.get("aria-invalid") == "true", field
    return BeautifulSoup(html, "html.parser").find(id=el["aria-describedby"]).get_text()


async def test_office_flow(office, issuer):
    http, waste_rt = office
    token = await csrf(http, f"/odpady/stawki?rok={YEAR}")
    rate = {"csrf_token": token, "year": str(YEAR), "method": "per_resident",
            "valid_from_month": "1", "rate": "63,35", "compost": "2,00", "multiplier": "2"}  # fmt: skip
    over = await http.post("/odpady/stawki", data=rate)
    assert over.status_code == 422
    assert "maksymalną" in invalid_field(over.text, "rate_grosze")
    rate["rate"] = "37,00"
    ok = await http.post("/odpady/stawki", data=rate)
    assert ok.status_code == 200 and "37,00\u00a0zł" in ok.text and "63,34\u00a0zł" in ok.text

    prop = {"csrf_token": token, "property_id": "N-100", "payer_id": "P-100",
            "address": "Ludwin 100", "kind": "single_family"}  # fmt: skip
    made = await http.post("/odpady/nieruchomosci", data=prop, follow_redirects=False)
    assert made.status_code == 303 and "nieruchomosc=N-100" in made.headers["location"]
    await http.post(
        "/odpady/nieruchomosci", data={**prop, "property_id": "N-101", "payer_id": "P-101"}
    )
    without = await http.get("/odpady/bez-deklaracji")
    assert "N-100" in without.text and "N-101" in without.text

    paper = {"csrf_token": token, "property_id": "N-100", "payer_id": "P-100",
             "method": "per_area_m2", "area_m2": "sto", "change_date": f"{YEAR}-01-01",
             "filed_on": "2026-11-20"}  # fmt: skip
    bad = await http.post("/odpady/deklaracje/nowa", data=paper)
    assert bad.status_code == 422 and "podaj liczbę" in invalid_field(bad.text, "area_m2")
    paper.update(method="per_resident", area_m2="", residents="4", composting="1")
    saved = await http.post("/odpady/deklaracje/nowa", data=paper, follow_redirects=False)
    assert saved.status_code == 303
    assert "N-100" not in (await http.get("/odpady/bez-deklaracji")).text

    preview = await http.get(f"/odpady/wymiar?rok={YEAR}")
    soup = BeautifulSoup(preview.text, "html.parser")
    assert soup.find(attrs={"data-testid": "payers"}).get_text() == "1"
    assert soup.find(attrs={"data-testid": "total"}).get_text() == "1\u00a0680,00\u00a0zł"
    run = await http.post("/odpady/wymiar", data={"csrf_token": token, "year": str(YEAR)})
    assert (
        BeautifulSoup(run.text, "html.parser").find(attrs={"data-testid": "requested"}).get_text()
        == "4"
    )
    again = await http.post("/odpady/wymiar", data={"csrf_token": token, "year": str(YEAR)})
    assert (
        BeautifulSoup(again.text, "html.parser").find(attrs={"data-testid": "requested"}).get_text()
        == "0"
    )

    # A resident's draft (5 residents from November 2026) is confirmed from the list.
    resident = issuer.token("res-100", roles=["resident"], payers=["P-100"])
    async with waste_rt_channel(waste_rt) as stub:
        await stub.FileDeclaration(
            waste_pb2.FileDeclarationRequest(
                property_id="N-100", payer_id="P-100",
                input=waste_pb2.DeclarationInput(method="per_resident", residents="5"),
                change_date=common_pb2.Date(year=2026, month=11, day=2),
            ),
            metadata=call_metadata(resident),
        )  # fmt: skip
    drafts = await http.get("/odpady/deklaracje?stan=draft")
    version_id = re.search(r"/odpady/deklaracje/([0-9a-f-]+)/potwierdz", drafts.text).group(1)
    confirmed = await http.post(
        f"/odpady/deklaracje/{version_id}/potwierdz", data={"csrf_token": token, "reason": ""},
        follow_redirects=True,
    )  # fmt: skip
    assert confirmed.status_code == 200 and "Deklaracja przyjęta" in confirmed.text

    for path in ("/odpady", f"/odpady/harmonogram?rok={YEAR}", "/odpady/nieruchomosci"):
        assert (await http.get(path)).status_code == 200, path
    sched = await http.get(f"/odpady/harmonogram?rok={YEAR}")
    assert "17.05.2027" in sched.text  # 15 May 2027 is a Saturday


class waste_rt_channel:
    """A WasteService stub on the running waste service."""

    def __init__(self, rt) -> None:
        import grpc

        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{rt.grpc_server.port}")

    async def __aenter__(self):
        return waste_pb2_grpc.WasteServiceStub(self.channel)

    async def __aexit__(self, *exc) -> None:
        await self.channel.close()
