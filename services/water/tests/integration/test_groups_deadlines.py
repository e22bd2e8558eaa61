"""Customer groups and reading deadlines changed by a clerk: rules, audit, campaigns use them."""

from __future__ import annotations

import json
from datetime import date

import pytest

from portal.water.v1 import water_pb2 as w
from portal_platform.errors import (
    Conflict,
    DomainError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)


async def groups(water, year: int = 2026) -> dict[str, w.CustomerGroup]:
    got = await water.call("ListCustomerGroups", w.ListCustomerGroupsRequest(year=year))
    return {g.code: g for g in got.groups}


def rules(group: w.CustomerGroup) -> list[tuple[int, int, str]]:
    return [(d.month, d.day, d.label) for d in group.deadlines]


async def add(water, group: str, month: int, day: int, label: str = "", token: str | None = None):
    req = w.AddReadingDeadlineRequest(group=group, month=month, day=day, label=label)
    return await water.call("AddReadingDeadline", req, token)


async def remove(water, group: str, month: int, day: int, token: str | None = None):
    req = w.RemoveReadingDeadlineRequest(group=group, month=month, day=day)
    return await water.call("RemoveReadingDeadline", req, token)


async def audit(water, group: str) -> list[w.AuditEntry]:
    req = w.ListAuditEntriesRequest(entity="group", entity_ids=[group])
    return list((await water.call("ListAuditEntries", req)).entries)


async def test_a_clerk_adds_a_deadline_and_it_is_audited(water):
    got = await add(water, "household", 9, 15)
    assert rules(got.group) == [
        (6, 30, "Odczyt do 30 czerwca"),
        (9, 15, "Odczyt do 15 września"),
        (11, 30, "Odczyt do 30 listopada"),
    ]
    deadlines = await water.call(
        "ListReadingDeadlines", w.ListReadingDeadlinesRequest(year=2027), water.resident("P-1")
    )
    assert ("household", date(2027, 9, 15), 9, 15) in {
        (x.group, date(x.deadline.year, x.deadline.month, x.deadline.day), x.month, x.day)
        for x in deadlines.deadlines
    }
    leap = await add(water, "business", 2, 29, "  Odczyt  roczny ")
    assert rules(leap.group) == [(2, 29, "Odczyt roczny")]
    common_year = (await groups(water, 2026))["business"].deadlines[0]
    assert (common_year.deadline.month, common_year.deadline.day) == (2, 28)
    [entry] = await audit(water, "household")
    assert (entry.action, entry.actor, entry.before_json) == ("group.deadline_added", "clerk-1", "")
    assert json.loads(entry.after_json) == {"month": 9, "day": 15, "label": "Odczyt do 15 września"}


@pytest.mark.parametrize(
    ("month", "day", "field", "text"),
    [
        (6, 31, "day", "Taki dzień nie istnieje: 31 czerwca."),
        (2, 30, "day", "Taki dzień nie istnieje: 30 lutego."),
        (4, 0, "day", "Taki dzień nie istnieje: 0 kwietnia."),
        (13, 1, "month", "Wybierz miesiąc od 1 do 12."),
        (0, 1, "month", "Wybierz miesiąc od 1 do 12."),
    ],
)
async def test_a_date_that_does_not_exist_is_refused(water, month, day, field, text):
    with pytest.raises(InvalidArgument) as err:
        await add(water, "household", month, day)
    assert (err.value.field, err.value.message) == (field, text)
    assert len(rules((await groups(water))["household"])) == 2
    assert await audit(water, "household") == []


async def test_a_duplicate_deadline_and_an_unknown_group_are_refused(water):
    with pytest.raises(Conflict) as err:
        await add(water, "household", 11, 30, "Drugi raz")
    assert err.value.field == "day"
    assert err.value.message == "Grupa „Gospodarstwa domowe” ma już termin 30 listopada."
    for call in (add(water, "garaże", 5, 1), remove(water, "garaże", 6, 30)):
        with pytest.raises(NotFound) as missing:
            await call
        assert (missing.value.field, missing.value.message) == (
            "group",
            "Nie ma takiej grupy odbiorców.",
        )
    with pytest.raises(NotFound) as err2:
        await remove(water, "household", 9, 15)
    assert err2.value.field == "deadline"
    with pytest.raises(InvalidArgument) as long:
        await add(water, "household", 9, 1, "x" * 101)
    assert long.value.field == "label"


async def test_a_group_with_premises_keeps_at_least_one_deadline(water):
    await water.premises("P-40", group="seasonal")
    with pytest.raises(DomainError) as err:
        await remove(water, "seasonal", 6, 15)
    assert type(err.value) is DomainError and err.value.field == "deadline"
    assert "musi mieć co najmniej jeden termin" in err.value.message
    assert rules((await groups(water))["seasonal"]) == [(6, 15, "Odczyt do 15 czerwca")]
    await add(water, "seasonal", 9, 30)
    got = await remove(water, "seasonal", 6, 15)
    assert rules(got.group) == [(9, 30, "Odczyt do 30 września")]
    assert got.group.premises_count == 1
    # a group without premises may be left without deadlines
    await add(water, "business", 3, 31)
    assert rules((await remove(water, "business", 3, 31)).group) == []
    actions = [
        (e.action, e.before_json and json.loads(e.before_json))
        for e in await audit(water, "seasonal")
    ]
    assert actions[0] == (
        "group.deadline_removed",
        {"month": 6, "day": 15, "label": "Odczyt do 15 czerwca"},
    )
    assert [a for a, _ in actions] == ["group.deadline_removed", "group.deadline_added"]


async def test_rename_a_group(water):
    got = await water.call(
        "RenameCustomerGroup", w.RenameCustomerGroupRequest(group="seasonal", label=" Działki ROD ")
    )
    assert got.group.label == "Działki ROD"
    assert (await groups(water))["seasonal"].label == "Działki ROD"
    [entry] = await audit(water, "seasonal")
    assert entry.action == "group.renamed"
    assert json.loads(entry.before_json) == {"label": "Działki i domki letniskowe"}
    with pytest.raises(InvalidArgument) as err:
        await water.call("RenameCustomerGroup", w.RenameCustomerGroupRequest(group="seasonal"))
    assert (err.value.field, err.value.message) == ("label", "Podaj nazwę grupy odbiorców.")
    with pytest.raises(NotFound):
        await water.call(
            "RenameCustomerGroup", w.RenameCustomerGroupRequest(group="nope", label="X")
        )


async def test_residents_may_not_change_groups(water):
    resident = water.resident("P-50")
    with pytest.raises(PermissionDenied):
        await add(water, "household", 9, 15, token=resident)
    with pytest.raises(PermissionDenied):
        await remove(water, "household", 6, 30, token=resident)
    with pytest.raises(PermissionDenied):
        await water.call(
            "RenameCustomerGroup",
            w.RenameCustomerGroupRequest(group="household", label="X"),
            resident,
        )
    seen = await water.call("ListCustomerGroups", w.ListCustomerGroupsRequest(), resident)
    assert {g.premises_count for g in seen.groups} == {0}
    assert len(rules((await groups(water))["household"])) == 2


async def test_campaigns_and_reminders_use_a_new_deadline(water):
    await water.prices()
    done = await water.premises("P-60")
    await water.premises("P-61")
    sent = await water.submit(done, date(2025, 9, 10), main=130)
    september = water.d(date(2025, 9, 15))
    status_req = w.ListCampaignStatusRequest(group="household", deadline=september)
    with pytest.raises(InvalidArgument):
        await water.call("ListCampaignStatus", status_req)
    await add(water, "household", 9, 15, "Odczyt do 15 września")
    status = await water.call("ListCampaignStatus", status_req)
    assert (status.submitted, status.missing) == (1, 1)
    assert (status.window_from.month, status.window_from.day) == (6, 30)
    by_payer = {e.payer_id: e for e in status.entries}
    assert by_payer["P-60"].reading_id == sent.reading.reading_id
    # what notify's reminders ask for: the deadlines of the year and who has not read
    service = water.issuer.token("notify", roles=["service"])
    year = await water.call(
        "ListReadingDeadlines", w.ListReadingDeadlinesRequest(year=2025), service
    )
    assert date(2025, 9, 15) in {
        date(x.deadline.year, x.deadline.month, x.deadline.day) for x in year.deadlines
    }
    late = await water.call(
        "ListPayersWithoutReading",
        w.ListPayersWithoutReadingRequest(group="household", deadline=september),
        service,
    )
    assert list(late.payer_ids) == ["P-61"]
    # November's window now starts at the new deadline: the September reading does not count
    november = await water.call(
        "ListCampaignStatus",
        w.ListCampaignStatusRequest(group="household", deadline=water.d(date(2025, 11, 30))),
    )
    assert (november.window_from.month, november.window_from.day) == (9, 15)
    assert (november.submitted, november.missing) == (0, 2)
    await remove(water, "household", 9, 15)
    with pytest.raises(InvalidArgument):
        await water.call("ListCampaignStatus", status_req)
