"""GetConsumption (for waste), deadlines, campaign compliance and the dashboard cards."""

from __future__ import annotations

from datetime import date

import pytest

from portal.module.v1 import module_pb2
from portal.water.v1 import water_pb2 as w
from portal_platform.errors import InvalidArgument, PermissionDenied


async def test_consumption_per_month_for_the_waste_fee(water):
    await water.prices()
    p = await water.premises("P-20", main=100)
    first = await water.submit(p, date(2025, 8, 31), main=192)  # 92 m³ over 92 days
    await water.accept(first.reading.reading_id)
    req = w.GetConsumptionRequest(
        payer_id="P-20",
        period_from=water.d(date(2025, 6, 1)),
        period_to=water.d(date(2025, 12, 31)),
    )
    service = water.issuer.token("waste", roles=["service"])
    got = await water.call("GetConsumption", req, service)
    assert got.quantity_m3 == "92"
    assert [(m.year, m.month, m.quantity_m3) for m in got.months] == [
        (2025, 6, "30"),
        (2025, 7, "31"),
        (2025, 8, "31"),
    ]
    part = await water.call(
        "GetConsumption",
        w.GetConsumptionRequest(
            payer_id="P-20",
            period_from=water.d(date(2025, 7, 1)),
            period_to=water.d(date(2025, 7, 15)),
        ),
        water.resident("P-20"),
    )
    assert part.quantity_m3 == "15"
    with pytest.raises(PermissionDenied):
        await water.call("GetConsumption", req, water.resident("P-21"))
    with pytest.raises(InvalidArgument):
        await water.call("GetConsumption", w.GetConsumptionRequest(payer_id="P-20"), service)


async def test_deadlines_are_data_per_group(water):
    got = await water.call(
        "ListReadingDeadlines", w.ListReadingDeadlinesRequest(year=2026), water.resident("P-1")
    )
    found = {(x.group, x.deadline.month, x.deadline.day) for x in got.deadlines}
    assert found == {("household", 6, 30), ("household", 11, 30), ("seasonal", 6, 15)}


async def test_campaign_lists_payers_without_a_reading(water):
    await water.prices()
    done = await water.premises("P-30")
    missing = await water.premises("P-31")
    await water.premises("P-32", group="seasonal")
    sent = await water.submit(done, date(2025, 11, 20), main=130)
    req = w.ListPayersWithoutReadingRequest(group="household", deadline=water.d(date(2025, 11, 30)))
    got = await water.call("ListPayersWithoutReading", req)
    assert list(got.payer_ids) == ["P-31"]
    status = await water.call(
        "ListCampaignStatus",
        w.ListCampaignStatusRequest(group="household", deadline=water.d(date(2025, 11, 30))),
    )
    assert (status.submitted, status.missing) == (1, 1)
    assert (status.window_from.month, status.window_from.day) == (6, 30)
    by_payer = {e.payer_id: e for e in status.entries}
    assert by_payer["P-30"].reading_id == sent.reading.reading_id
    assert not by_payer["P-31"].submitted and by_payer["P-31"].premises_id == missing.premises_id
    # June's campaign: the November reading does not count for it
    june = await water.call(
        "ListPayersWithoutReading",
        w.ListPayersWithoutReadingRequest(group="household", deadline=water.d(date(2025, 6, 30))),
    )
    assert list(june.payer_ids) == ["P-30", "P-31"]
    with pytest.raises(PermissionDenied):
        await water.call("ListPayersWithoutReading", req, water.resident("P-30"))
    with pytest.raises(InvalidArgument):
        await water.call(
            "ListPayersWithoutReading",
            w.ListPayersWithoutReadingRequest(
                group="household", deadline=water.d(date(2025, 7, 1))
            ),
        )


async def test_dashboard_cards_show_last_reading_and_next_deadline(water):
    await water.prices()
    p = await water.premises("P-40")
    await water.submit(p, date(2025, 8, 31), main=150)
    token = water.resident("P-40")
    got = await water.call(
        "SummarisePayer",
        module_pb2.SummarisePayerRequest(payer_id="P-40"),
        token,
        stub=water.module,
    )
    titles = [c.title for c in got.cards]
    assert "Ostatni odczyt wodomierza" in titles and "Następny termin odczytu" in titles
    last = next(c for c in got.cards if c.title == "Ostatni odczyt wodomierza")
    assert "31.08.2025" in last.body and "150 m³" in last.body and "czeka" in last.body
    assert got.deadlines and not got.deadlines[0].done
    with pytest.raises(PermissionDenied):
        await water.call(
            "SummarisePayer",
            module_pb2.SummarisePayerRequest(payer_id="P-41"),
            token,
            stub=water.module,
        )
    with pytest.raises(PermissionDenied):
        await water.call("ListPremises", w.ListPremisesRequest(payer_id="P-41"), token)
