"""Meter replacement, two tariff changes, estimated then actual, tariffs, legalisation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal.billing.v1 import billing_pb2
from portal.water.v1 import water_pb2 as w
from portal_platform.errors import Conflict, DomainError, InvalidArgument, PermissionDenied

AUG31 = date(2025, 8, 31)


async def _settled(water, payer: str, **kw):
    await water.prices()
    p = await water.premises(payer, main=100, **kw)
    first = await water.submit(p, AUG31, main=190, **({"garden": 12} if "garden" in kw else {}))
    await water.accept(first.reading.reading_id)
    return p


async def test_meter_replacement_mid_period(water):
    p = await _settled(water, "P-50")
    old = p.meters[0]
    with pytest.raises(InvalidArgument) as lower:
        await water.call(
            "ReplaceMeter",
            w.ReplaceMeterRequest(
                meter_id=old.meter_id,
                replaced_on=water.d(date(2025, 10, 15)),
                final_m3="180",
                new_serial="NEW-1",
                new_initial_m3="5",
            ),
        )
    assert lower.value.field == "final_m3" and "niższy" in lower.value.message
    swap = await water.call(
        "ReplaceMeter",
        w.ReplaceMeterRequest(
            meter_id=old.meter_id,
            replaced_on=water.d(date(2025, 10, 15)),
            final_m3="230",
            new_serial="NEW-1",
            new_initial_m3="5",
            new_legalised_on=water.d(date(2025, 10, 1)),
        ),
    )
    assert swap.removed.final_m3 == 230 and not swap.removed.active
    assert swap.installed.initial_m3 == 5 and swap.installed.replaces_meter_id == old.meter_id
    p = (await water.call("GetPremises", w.GetPremisesRequest(premises_id=p.premises_id))).premises
    assert [m.serial for m in p.meters if m.active] == ["NEW-1"]
    # the old meter can no longer be read; the new one starts from its initial reading
    with pytest.raises(InvalidArgument):
        await water.submit(p, date(2025, 11, 30), main=4)
    sent = await water.submit(p, date(2025, 11, 30), main=25)
    pv = sent.reading.preview
    # (230 − 190) + (25 − 5) = 60 m³ over 01.09–30.11.2025 at 4.20
    assert pv.water_m3 == "60"
    water_lines = [x for x in pv.lines if x.component == "water"]
    assert [(x.quantity, x.net_grosze) for x in water_lines] == [("60", 25200)]
    history = (
        await water.call(
            "ListReadings",
            w.ListReadingsRequest(premises_id=p.premises_id, meter_id=old.meter_id),
            water.resident("P-50"),
        )
    ).readings
    assert [r.source for r in history] == ["replacement", "customer"]
    log = await water.call(
        "ListAuditEntries", w.ListAuditEntriesRequest(entity="premises", entity_ids=[p.premises_id])
    )
    assert [e.action for e in log.entries][:1] == ["meter.replaced"]
    assert "NEW-1" in log.entries[0].after_json
    assert history[0].values[0].value_m3 in (230, 5)


async def test_garden_sub_meter_is_deducted_from_sewage_and_sewage_meter_wins(water):
    await water.prices()
    p = await water.premises("P-51", main=100, garden=0)
    sent = await water.submit(p, AUG31, main=190, garden=12)
    assert (sent.reading.preview.water_m3, sent.reading.preview.sewage_m3) == ("90", "78")
    s = await water.premises("P-52", main=100, sewage=10)
    sent = await water.submit(s, AUG31, main=190, sewage=60)
    assert (sent.reading.preview.water_m3, sent.reading.preview.sewage_m3) == ("90", "50")
    with pytest.raises(InvalidArgument) as missing:
        await water.submit(p, AUG31, main=190)
    assert "podlicznik ogrodowy" in missing.value.message


async def test_period_straddling_two_tariff_changes(water):
    await water.prices()
    for component, price in (("water", "4,50"), ("sewage", "11,00")):
        await water.call(
            "AddTariffPrice",
            w.AddTariffPriceRequest(
                group="household",
                component=component,
                unit="m3",
                net_price=price,
                valid_from=water.d(date(2025, 8, 16)),
            ),
        )
    p = await water.premises("P-53", main=100)
    pv = (await water.submit(p, AUG31, main=192)).reading.preview
    lines = [(x.quantity, x.unit_net_grosze) for x in pv.lines if x.component == "water"]
    assert lines == [("58", 400), ("18", 420), ("16", 450)]
    sewage = [(x.quantity, x.unit_net_grosze) for x in pv.lines if x.component == "sewage"]
    assert sewage == [("58", 1000), ("18", 1050), ("16", 1100)]


async def test_estimated_reading_then_actual_settles_it(water):
    p = await _settled(water, "P-54")  # 90 m³ in 92 days up to 31.08.2025
    await water.premises("P-55")  # never read: no history, cannot be estimated
    june = water.d(date(2026, 6, 30))  # window 01.12.2025–30.06.2026: P-54 gave nothing
    got = await water.call(
        "EstimateMissingReadings",
        w.EstimateMissingReadingsRequest(group="household", deadline=june),
    )
    assert got.estimated == 1 and len(got.skipped) == 1
    assert "historii" in got.skipped[0].message
    again = await water.call(
        "EstimateMissingReadings",
        w.EstimateMissingReadingsRequest(group="household", deadline=june),
    )
    assert again.estimated == 0
    campaign = await water.call(
        "ListCampaignStatus", w.ListCampaignStatusRequest(group="household", deadline=june)
    )
    assert {e.payer_id: e.estimated for e in campaign.entries}["P-54"]
    settlements = (
        await water.call("ListSettlements", w.ListSettlementsRequest(payer_id="P-54"))
    ).settlements
    est = next(s for s in settlements if s.kind == "estimated")
    assert est.water_m3 == "296"  # 90/92 m³ a day × 303 days = 296.4 → 296
    assert (est.period_from.year, est.period_from.month, est.period_from.day) == (2025, 9, 1)
    history = (
        await water.call(
            "ListReadings", w.ListReadingsRequest(payer_id="P-54"), water.resident("P-54")
        )
    ).readings
    assert history[0].source == "estimated" and history[0].status == "accepted"
    # the actual reading may be below the estimated counter (486): the estimate is no reading
    actual = await water.submit(p, date(2026, 7, 15), main=250)
    pv = actual.reading.preview
    assert (pv.period_from.year, pv.period_from.month, pv.period_from.day) == (2025, 9, 1)
    assert pv.water_m3 == "60"
    assert pv.estimates_deducted_grosze == est.gross_grosze
    reversed_ = [x for x in pv.lines if x.description.startswith("Rozliczenie faktury szacunkowej")]
    assert sum(Decimal(x.quantity) for x in reversed_ if x.component == "water") == -296
    assert pv.gross_grosze < 0  # the estimate was too high: the payer gets money back
    await water.accept(actual.reading.reading_id)
    settlements = (
        await water.call("ListSettlements", w.ListSettlementsRequest(payer_id="P-54"))
    ).settlements
    final = next(s for s in settlements if s.kind == "actual" and s.period_to.year == 2026)
    assert (
        next(s for s in settlements if s.kind == "estimated").settled_by_id == final.settlement_id
    )
    charts = (await water.call("GetCharts", w.GetChartsRequest(payer_id="P-54"))).points
    assert [(c.water_m3, c.estimated) for c in charts] == [("90", False), ("60", False)]
    assert charts[1].gross_grosze == final.gross_grosze + est.gross_grosze
    used = await water.call(
        "GetConsumption",
        w.GetConsumptionRequest(
            payer_id="P-54",
            period_from=water.d(date(2025, 9, 1)),
            period_to=water.d(date(2026, 7, 31)),
        ),
    )
    assert used.quantity_m3 == "60"
    charges = [
        billing_pb2.ChargeRequested.FromString(payload)
        for subject, payload in await water.outbox()
        if subject == "portal.charges.water.requested.v1"
    ]
    assert len(charges) == 3
    # billing books invoices with positive amounts only: this one is a correction lowering
    # the estimated invoice (its charge key is the estimated reading's id)
    estimate_charge, final_charge = charges[1], charges[2]
    assert estimate_charge.document_kind == billing_pb2.DOCUMENT_KIND_INVOICE
    assert final_charge.document_kind == billing_pb2.DOCUMENT_KIND_CORRECTION
    assert final_charge.corrects_idempotency_key == estimate_charge.idempotency_key
    assert sum(x.gross_grosze for x in final_charge.lines) == final.gross_grosze < 0


async def test_tariff_prices_are_dated_and_never_overlap(water):
    add = w.AddTariffPriceRequest
    first = await water.call(
        "AddTariffPrice",
        add(
            group="household",
            component="water",
            unit="m3",
            net_price="4,89",
            valid_from=water.d(date(2025, 1, 1)),
        ),
    )
    assert first.price.net_grosze == 489 and not first.price.valid_to.year
    nxt = await water.call(
        "AddTariffPrice",
        add(
            group="household",
            component="water",
            unit="m3",
            net_price="4.92",
            valid_from=water.d(date.today() + timedelta(days=40)),
        ),
    )
    assert nxt.price.announced
    assert nxt.closed.price_id == first.price.price_id
    with pytest.raises(Conflict):
        await water.call(
            "AddTariffPrice",
            add(
                group="household",
                component="water",
                unit="m3",
                net_price="4,00",
                valid_from=water.d(date(2025, 6, 1)),
                valid_to=water.d(date(2025, 6, 30)),
            ),
        )
    for raw, field in (("4,205", "net_price"), ("-1", "net_price"), ("abc", "net_price")):
        with pytest.raises(InvalidArgument) as err:
            await water.call(
                "AddTariffPrice",
                add(
                    group="household",
                    component="sewage",
                    unit="m3",
                    net_price=raw,
                    valid_from=water.d(date(2025, 1, 1)),
                ),
            )
        assert err.value.field == field
    with pytest.raises(InvalidArgument) as unit:
        await water.call(
            "AddTariffPrice",
            add(
                group="household",
                component="water",
                unit="month",
                net_price="1",
                valid_from=water.d(date(2025, 1, 1)),
            ),
        )
    assert unit.value.field == "unit"
    with pytest.raises(InvalidArgument):
        await water.call(
            "AddTariffPrice",
            add(
                group="household",
                component="sewage",
                unit="m3",
                net_price="1",
                valid_from=water.d(date(2025, 2, 1)),
                valid_to=water.d(date(2025, 1, 1)),
            ),
        )
    listed = await water.call(
        "ListTariffPrices", w.ListTariffPricesRequest(group="household"), water.resident("P-1")
    )
    assert [x.net_grosze for x in listed.prices] == [489, 492]
    with pytest.raises(PermissionDenied):
        await water.call(
            "AddTariffPrice",
            add(
                group="household",
                component="water",
                unit="m3",
                net_price="1",
                valid_from=water.d(date(2030, 1, 1)),
            ),
            water.resident("P-1"),
        )


async def test_missing_tariff_is_a_clear_message(water):
    p = await water.premises("P-56")
    with pytest.raises(DomainError) as err:
        await water.submit(p, AUG31, main=150)
    assert "Brak ceny" in err.value.message


async def test_legalisation_expiry_is_flagged_to_clerks(water):
    p = await water.premises("P-57")
    await water.call(
        "InstallMeter",
        w.InstallMeterRequest(
            premises_id=p.premises_id,
            kind="garden",
            serial="OLD-LEG",
            installed_on=water.d(date(2025, 5, 31)),
            initial_m3="0",
            legalised_on=water.d(date(2020, 3, 1)),
        ),
    )
    due = await water.call("ListMeters", w.ListMetersRequest(legalisation_due_only=True))
    assert [m.serial for m in due.meters] == ["OLD-LEG"]
    assert due.meters[0].legalisation_due and due.meters[0].legalisation_expires.year == 2025
    assert due.meters[0].premises_number == p.number
    with pytest.raises(Conflict):
        await water.call(
            "InstallMeter",
            w.InstallMeterRequest(
                premises_id=p.premises_id,
                kind="main",
                serial="SECOND",
                installed_on=water.d(date(2025, 6, 1)),
                initial_m3="0",
            ),
        )
    with pytest.raises(PermissionDenied):
        await water.call("ListMeters", w.ListMetersRequest(), water.resident("P-57"))


async def test_demo_data_is_the_golden_example_and_idempotent(water):
    from water.demo import load_demo

    first = await load_demo(water.rt)
    assert await load_demo(water.rt) == first
    got = await water.call(
        "ListSettlements", w.ListSettlementsRequest(payer_id="P-000001"), water.resident("P-000001")
    )
    assert [s.gross_grosze for s in got.settlements] == [128023]


async def test_roll_over_is_explicit_and_only_for_staff(water):
    await water.prices()
    p = await water.premises("P-58")
    three = await water.call(
        "ReplaceMeter",
        w.ReplaceMeterRequest(
            meter_id=p.meters[0].meter_id,
            replaced_on=water.d(date(2025, 6, 1)),
            final_m3="100",
            new_serial="SMALL",
            new_initial_m3="990",
            new_digits=3,
        ),
    )
    assert three.installed.digits == 3
    p = (await water.call("GetPremises", w.GetPremisesRequest(premises_id=p.premises_id))).premises
    meter = next(m.meter_id for m in p.meters if m.active)
    resident = w.SubmitReadingRequest(
        premises_id=p.premises_id,
        reading_date=water.d(AUG31),
        values=[w.ReadingValueInput(meter_id=meter, value_m3="5", rollover=True)],
    )
    with pytest.raises(InvalidArgument) as lower:  # a resident cannot claim a roll-over
        await water.call("SubmitReading", resident, water.resident("P-58"))
    assert lower.value.code == "reading.lower_than_previous"
    clerk = await water.call("SubmitReading", resident)  # 990 → 999 → 000 → 005: 15 m³
    assert clerk.reading.status == "accepted" and clerk.reading.preview.water_m3 == "15"
    assert clerk.reading.values[0].rollover and clerk.reading.values[0].consumption_m3 == "15"
