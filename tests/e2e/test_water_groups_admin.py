"""Back office "Woda" over HTTP against a real water service: customer groups and their reading
deadlines — list with premises counts, add (bad dates and duplicates refused, errors tied to the
field), remove with confirmation (a group with premises keeps one), rename; the campaign page
then works for the new deadline."""

from __future__ import annotations

from datetime import date

import grpc
import httpx
import pytest
from bs4 import BeautifulSoup

from admin.app import create_app
from admin.app import definition as admin
from admin.auth import CurrentClerk, require_clerk
from portal.common.v1 import common_pb2
from portal.water.v1 import water_pb2 as w
from portal.water.v1 import water_pb2_grpc
from portal_platform.rpc.client import call
from portal_platform.service import Runtime
from water.app import definition as water

pytestmark = pytest.mark.timeout(120)
PAGE = "/woda/grupy"


def soup(resp: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(resp.text, "html.parser")


def pb(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


class Office:
    """The admin app (a clerk signed in) over HTTP, and water's gRPC for the set-up."""

    def __init__(self, http: httpx.AsyncClient, stub: water_pb2_grpc.WaterServiceStub, issuer):
        self.http = http
        self.stub = stub
        self.issuer = issuer
        self.clerk_token = issuer.token("clerk-g", roles=["clerk"])

    async def rpc(self, method: str, request, token: str | None = None):
        return await call(getattr(self.stub, method), request, token=token or self.clerk_token)

    async def post(self, action: str, data: dict[str, str], page: str = PAGE) -> httpx.Response:
        token = soup(await self.http.get(page)).find("input", {"name": "csrf_token"})["value"]
        return await self.http.post(action, data={"csrf_token": token, **data})

    async def premises(self, payer: str, group: str) -> w.Premises:
        p = (
            await self.rpc(
                "CreatePremises",
                w.CreatePremisesRequest(
                    payer_id=payer, address=f"ul. Polna {payer}", group=group, sewer=True
                ),
            )
        ).premises
        await self.rpc(
            "InstallMeter",
            w.InstallMeterRequest(
                premises_id=p.premises_id,
                kind="main",
                serial=f"M-{payer}",
                installed_on=pb(date(2025, 5, 31)),
                initial_m3="100",
                legalised_on=pb(date(2025, 1, 1)),
            ),
        )
        return (
            await self.rpc("GetPremises", w.GetPremisesRequest(premises_id=p.premises_id))
        ).premises


def row(page: httpx.Response, code: str):
    return soup(page).find("tr", id=f"grupa-{code}")


@pytest.fixture
async def office(start_service, issuer):
    water_rt = await start_service(water)
    port = water_rt.grpc_server.port
    settings = admin.settings_cls.model_validate(
        {"env": "test", "grpc_services": f"water=127.0.0.1:{port}"}
    )
    app = create_app(Runtime(admin, settings))
    clerk = CurrentClerk("clerk-g", "Anna Urzędniczka", "anna@ludwin.pl",
                         issuer.token("clerk-g", roles=["clerk"]), ("clerk",))  # fmt: skip
    app.dependency_overrides[require_clerk] = lambda: clerk
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://admin.test"
        ) as http,
        grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel,
    ):
        yield Office(http, water_pb2_grpc.WaterServiceStub(channel), issuer)


async def test_groups_listed_and_a_deadline_added_used_by_the_campaign(office):
    for component, unit, price in (
        ("water", "m3", "4,00"),
        ("sewage", "m3", "10,00"),
        ("abonament_water", "month", "5,00"),
        ("abonament_sewage", "month", "3,00"),
    ):
        await office.rpc(
            "AddTariffPrice",
            w.AddTariffPriceRequest(
                group="household",
                component=component,
                unit=unit,
                net_price=price,
                valid_from=pb(date(2025, 1, 1)),
            ),
        )
    done = await office.premises("P-G1", "household")
    await office.premises("P-G2", "household")
    await office.premises("P-G3", "seasonal")
    sent = await office.rpc(
        "SubmitReading",
        w.SubmitReadingRequest(
            premises_id=done.premises_id,
            reading_date=pb(date(2025, 9, 10)),
            values=[w.ReadingValueInput(meter_id=done.meters[0].meter_id, value_m3="130")],
        ),
        office.issuer.token("res-g1", roles=["resident"], payers=["P-G1"]),
    )
    menu = soup(await office.http.get("/woda"))
    assert menu.find("ul").find("a", href=PAGE).text == "Grupy odbiorców i terminy odczytów"
    assert menu.find("nav").find("a", href=PAGE) is not None

    page = await office.http.get(PAGE)
    assert page.status_code == 200
    household = row(page, "household")
    assert household.find("td", class_="num").text == "2"
    assert [li.text.split(" Usuń")[0] for li in household.find_all("li")] == [
        "30 czerwca — Odczyt do 30 czerwca",
        "30 listopada — Odczyt do 30 listopada",
    ]
    assert row(page, "seasonal").find("td", class_="num").text == "1"
    assert "brak terminów" in row(page, "business").text

    added = await office.post(
        PAGE, {"group": "household", "day": "15", "month": "9", "label": "Odczyt do 15 września"}
    )
    assert added.status_code == 303, added.text
    page = await office.http.get(added.headers["location"])
    assert "Dodano termin odczytu 15 września dla grupy „Gospodarstwa domowe”." in page.text
    assert "15 września — Odczyt do 15 września" in row(page, "household").text
    history = soup(page).find("caption", string="Historia zmian (kto, co, kiedy)").parent
    assert "group.deadline_added" in history.text and "clerk-g" in history.text

    # the campaign screen offers the new deadline and counts readings after 30 June for it
    campaign = await office.http.get("/woda/kampanie?wybor=household|2025-09-15")
    assert campaign.status_code == 200, campaign.text
    c = soup(campaign)
    assert c.find("option", value="household|2025-09-15") is not None
    assert (c.find(attrs={"data-testid": "submitted"}).text,
            c.find(attrs={"data-testid": "missing"}).text) == ("1", "1")  # fmt: skip
    assert "Liczą się odczyty z datą po 30.06.2025" in campaign.text
    assert c.find("a", href=f"/woda/odczyty/{sent.reading.reading_id}") is not None
    november = soup(await office.http.get("/woda/kampanie?wybor=household|2025-11-30"))
    assert november.find(attrs={"data-testid": "missing"}).text == "2"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"day": "31", "month": "6"}, "day", "Taki dzień nie istnieje: 31 czerwca."),
        ({"day": "trzydziesty", "month": "6"}, "day", "Podaj dzień miesiąca liczbą (1–31)."),
        ({"day": "10", "month": ""}, "month", "Wybierz miesiąc."),
        ({"day": "30", "month": "11"}, "day", "Grupa „Gospodarstwa domowe” ma już termin 30 listopada."),
        ({"day": "1", "month": "5", "label": "x" * 101}, "label", "Opis terminu może mieć najwyżej 100 znaków."),
    ],
)  # fmt: skip
async def test_bad_deadlines_are_refused_at_the_field(office, data, field, message):
    resp = await office.post(PAGE, {"group": "household", "label": "", **data})
    assert resp.status_code == 422, resp.text
    page = soup(resp)
    assert page.find(id=f"{field}-blad").text == message
    assert page.find(id=field)["aria-invalid"] == "true"
    assert page.find(class_="error-summary").find("a", href=f"#{field}").text == message
    # what was typed stays in the form
    if data["day"]:
        assert page.find(id="day")["value"] == data["day"]
    assert len(row(resp, "household").find_all("li")) == 2


async def test_unknown_group_and_missing_csrf(office):
    resp = await office.post(PAGE, {"group": "garaże", "day": "1", "month": "5"})
    assert resp.status_code == 422
    assert soup(resp).find(id="group-blad").text == "Nie ma takiej grupy odbiorców."
    forged = await office.http.post(PAGE, data={"group": "household", "day": "1", "month": "5"})
    assert forged.status_code == 403
    page = await office.http.get(PAGE)
    assert "1 maja" not in row(page, "household").text


async def test_remove_asks_first_and_keeps_the_last_deadline_of_a_group_with_premises(office):
    await office.premises("P-G4", "seasonal")
    page = await office.http.get(PAGE)
    link = row(page, "seasonal").find("a", string="Usuń")
    confirm = await office.http.get(link["href"])
    assert confirm.status_code == 200
    assert soup(confirm).find("h1").text == "Usunąć termin odczytu?"
    assert "15 czerwca" in confirm.text
    # nothing removed by looking at the confirmation
    assert "15 czerwca" in row(await office.http.get(PAGE), "seasonal").text
    refused = await office.post(
        f"{PAGE}/usun", {"group": "seasonal", "month": "6", "day": "15"}, page=link["href"]
    )
    assert refused.status_code == 409, refused.text
    summary = soup(refused).find(class_="error-summary")
    assert "musi mieć co najmniej jeden termin" in summary.text
    assert summary.find("a", href="#deadline") is not None

    assert (
        await office.post(PAGE, {"group": "seasonal", "day": "30", "month": "9"})
    ).status_code == 303
    removed = await office.post(
        f"{PAGE}/usun", {"group": "seasonal", "month": "6", "day": "15"}, page=link["href"]
    )
    assert removed.status_code == 303, removed.text
    page = await office.http.get(PAGE)
    assert "Usunięto termin odczytu 15 czerwca grupy „Działki i domki letniskowe”." in page.text
    seasonal = row(page, "seasonal")
    assert "15 czerwca" not in seasonal.text and "30 września" in seasonal.text
    deadlines = await office.rpc("ListReadingDeadlines", w.ListReadingDeadlinesRequest(year=2026))
    assert {(d.group, d.month, d.day) for d in deadlines.deadlines if d.group == "seasonal"} == {
        ("seasonal", 9, 30)
    }
    gone = await office.http.get(f"{PAGE}/usun?group=seasonal&month=6&day=15")
    assert gone.status_code == 303


async def test_rename_a_group(office):
    renamed = await office.post(f"{PAGE}/nazwa", {"group": "seasonal", "label": "Działki ROD"})
    assert renamed.status_code == 303
    page = await office.http.get(PAGE)
    assert row(page, "seasonal").find("th").text.startswith("Działki ROD")
    assert (
        soup(page).find("select", id="group").find("option", value="seasonal").text == "Działki ROD"
    )
    empty = await office.post(f"{PAGE}/nazwa", {"group": "seasonal", "label": "  "})
    assert empty.status_code == 422
    assert soup(empty).find(id="label-seasonal-blad").text == "Podaj nazwę grupy odbiorców."
    assert soup(empty).find(id="label-seasonal")["aria-invalid"] == "true"
