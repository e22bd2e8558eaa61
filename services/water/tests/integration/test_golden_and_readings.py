"""Readings through gRPC on a real database: preview, rules, clerk decisions, events."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.billing.v1 import billing_pb2
from portal.water.v1 import water_pb2 as w
from portal_platform.errors import Conflict, InvalidArgument, NotFound, PermissionDenied

AUG31 = date(2025, 8, 31)


async def test_golden_example_from_reading_to_charge(water):
    await water.prices()
    p = await water.premises("P-1", main=100, garden=0)
    sent = await water.submit(p, AUG31, main=190, garden=12)
    r = sent.reading
    assert r.status == "pending" and r.source == "customer"
    pv = r.preview
    assert (pv.net_grosze, pv.vat_grosze, pv.gross_grosze) == (118540, 9483, 128023)
    assert (pv.water_m3, pv.sewage_m3, pv.garden_m3) == ("90", "78", "12")
    water_lines = [(x.quantity, x.net_grosze) for x in pv.lines if x.component == "water"]
    assert water_lines == [("56.74", 22696), ("33.26", 13969)]
    sewage_lines = [(x.quantity, x.net_grosze) for x in pv.lines if x.component == "sewage"]
    assert sewage_lines == [("49.17", 49170), ("28.83", 30272)]

    result = await water.accept(r.reading_id)
    assert list(result.accepted_ids) == [r.reading_id] and not result.failures
    events = await water.outbox()
    subjects = [s for s, _ in events]
    assert subjects == ["portal.charges.water.requested.v1", "portal.water.reading.accepted.v1"]
    charge = billing_pb2.ChargeRequested.FromString(events[0][1])
    assert charge.idempotency_key == r.reading_id and charge.module == "water"
    assert charge.payer_id == "P-1"
    assert charge.document_kind == billing_pb2.DOCUMENT_KIND_INVOICE
    assert sum(x.gross_grosze for x in charge.lines) == 128023
    assert sum(x.vat_grosze for x in charge.lines) == 9483
    assert [x.quantity for x in charge.lines if x.unit == "m3"] == [
        "56.74",
        "33.26",
        "49.17",
        "28.83",
    ]
    decided = w.ReadingDecided.FromString(events[1][1])
    assert (decided.decision, decided.accepted_m3, decided.submitted_m3) == (
        "accepted",
        "190",
        "190",
    )
    got = (
        await water.call(
            "GetReading", w.GetReadingRequest(reading_id=r.reading_id), water.resident("P-1")
        )
    ).reading
    assert got.status == "accepted" and got.preview.gross_grosze == 128023
    again = await water.accept(r.reading_id)
    assert not again.accepted_ids and again.failures


async def test_lower_reading_refused_with_a_clear_message(water):
    await water.prices()
    p = await water.premises("P-2", main=100)
    first = await water.submit(p, AUG31, main=150)
    await water.accept(first.reading.reading_id)
    with pytest.raises(InvalidArgument) as err:
        await water.submit(p, date(2025, 11, 30), main=140)
    main_id = p.meters[0].meter_id
    assert err.value.field == f"value_{main_id}"
    assert err.value.code == "reading.lower_than_previous"
    assert "niższy niż poprzedni odczyt" in err.value.message and "150 m³" in err.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abc", "liczbą całkowitą"),
        ("-5", "nie może być ujemny"),
        ("12,5", "bez części po przecinku"),
        ("12.5", "bez części po przecinku"),
        ("", "Podaj"),
        ("1000000", "więcej cyfr"),
    ],
)
async def test_bad_values_are_refused_naming_the_field(water, raw, expected):
    p = await water.premises("P-3")
    with pytest.raises(InvalidArgument) as err:
        await water.submit(p, AUG31, main=raw)
    assert expected in err.value.message
    assert err.value.field == f"value_{p.meters[0].meter_id}"


async def test_dates_in_future_or_before_installation_are_refused(water):
    await water.prices()
    p = await water.premises("P-4", installed=date(2025, 5, 31))
    with pytest.raises(InvalidArgument) as future:
        await water.submit(p, date.today() + timedelta(days=3), main=120)
    assert future.value.field == "reading_date" and "przyszłości" in future.value.message
    with pytest.raises(InvalidArgument) as before:
        await water.submit(p, date(2025, 5, 1), main=120)
    assert before.value.field == "reading_date" and "montaż" in before.value.message


async def test_absurdly_high_reading_needs_confirmation_then_is_flagged(water):
    await water.prices()
    p = await water.premises("P-5", main=100)
    warned = await water.submit(p, AUG31, main=9000)
    assert warned.needs_confirmation and not warned.reading.reading_id
    assert "wyciek" in warned.warnings[0].message
    listed = await water.call("ListReadings", w.ListReadingsRequest(payer_id="P-5"))
    assert not listed.readings  # nothing was saved
    sent = await water.submit(p, AUG31, main=9000, confirm=True)
    assert sent.reading.flagged and "wyciek" in sent.reading.flag_note
    queue = await water.call(
        "ListReadingsForVerification", w.ListReadingsForVerificationRequest(flagged_only=True)
    )
    assert [x.reading_id for x in queue.readings] == [sent.reading.reading_id]


async def test_double_submitted_form_creates_one_reading(water):
    await water.prices()
    p = await water.premises("P-6")
    a = await water.submit(p, AUG31, idem="form-123", main=150)
    b = await water.submit(p, AUG31, idem="form-123", main=150)
    assert b.repeated_submission and b.reading.reading_id == a.reading.reading_id
    listed = await water.call("ListReadings", w.ListReadingsRequest(payer_id="P-6"))
    assert len(listed.readings) == 1


async def test_someone_elses_meter_is_refused_without_revealing_it(water):
    await water.prices()
    mine = await water.premises("P-7")
    theirs = await water.premises("P-8")
    token = water.resident("P-7")
    with pytest.raises(NotFound) as other_premises:
        await water.submit(theirs, AUG31, token=token, main=150)
    # a meter id of another premises slipped into my form: "not found", not "forbidden"
    req = w.SubmitReadingRequest(
        premises_id=mine.premises_id,
        reading_date=water.d(AUG31),
        values=[w.ReadingValueInput(meter_id=theirs.meters[0].meter_id, value_m3="150")],
    )
    with pytest.raises(NotFound) as other_meter:
        await water.call("SubmitReading", req, token)
    with pytest.raises(NotFound) as unknown:
        await water.call("GetPremises", w.GetPremisesRequest(premises_id="no-such"), token)
    assert other_premises.value.message == unknown.value.message
    assert "wodomierza" in other_meter.value.message
    with pytest.raises(NotFound):
        await water.call("GetPremises", w.GetPremisesRequest(premises_id=theirs.premises_id), token)
    with pytest.raises(PermissionDenied):
        await water.call("AcceptReadings", w.AcceptReadingsRequest(reading_ids=["x"]), token)
    with pytest.raises(PermissionDenied):
        await water.call(
            "ListReadingsForVerification", w.ListReadingsForVerificationRequest(), token
        )


async def test_clerk_corrects_with_a_reason_and_rejects(water):
    await water.prices()
    p = await water.premises("P-9")
    sent = await water.submit(p, AUG31, main=199)
    with pytest.raises(InvalidArgument) as no_reason:
        await water.call(
            "DecideReading",
            w.DecideReadingRequest(reading_id=sent.reading.reading_id, decision="correct"),
        )
    assert no_reason.value.field == "reason"
    meter = p.meters[0].meter_id
    fixed = (
        await water.call(
            "DecideReading",
            w.DecideReadingRequest(
                reading_id=sent.reading.reading_id,
                decision="correct",
                reason="Zdjęcie licznika: 190",
                values=[w.ReadingValueInput(meter_id=meter, value_m3="190")],
            ),
        )
    ).reading
    assert fixed.status == "corrected" and fixed.reason == "Zdjęcie licznika: 190"
    assert fixed.values[0].submitted_m3 == 199 and fixed.values[0].value_m3 == 190
    assert fixed.preview.water_m3 == "90"
    with pytest.raises(Conflict):
        await water.call(
            "DecideReading",
            w.DecideReadingRequest(
                reading_id=sent.reading.reading_id, decision="reject", reason="x"
            ),
        )
    later = await water.submit(p, date(2025, 11, 30), main=230)
    rejected = (
        await water.call(
            "DecideReading",
            w.DecideReadingRequest(
                reading_id=later.reading.reading_id,
                decision="reject",
                reason="Stan niezgodny ze zdjęciem",
            ),
        )
    ).reading
    assert rejected.status == "rejected"
    subjects = [s for s, _ in await water.outbox()]
    assert subjects == [
        "portal.charges.water.requested.v1",
        "portal.water.reading.corrected.v1",
        "portal.water.reading.rejected.v1",
    ]
    seen = (
        await water.call(
            "ListReadings", w.ListReadingsRequest(payer_id="P-9"), water.resident("P-9")
        )
    ).readings
    assert [x.status for x in seen] == ["rejected", "corrected"]
    assert seen[0].reason == "Stan niezgodny ze zdjęciem"
    log = await water.call(
        "ListAuditEntries",
        w.ListAuditEntriesRequest(
            entity="reading", entity_ids=[sent.reading.reading_id, later.reading.reading_id]
        ),
    )
    assert sorted(e.action for e in log.entries) == ["reading.corrected", "reading.rejected"]
    corrected = next(e for e in log.entries if e.action == "reading.corrected")
    assert corrected.actor == "clerk-1" and "199" in corrected.before_json
    assert "190" in corrected.after_json and "Zdjęcie" in corrected.after_json
    with pytest.raises(PermissionDenied):
        await water.call(
            "ListAuditEntries", w.ListAuditEntriesRequest(entity="reading"), water.resident("P-9")
        )


async def test_new_submission_supersedes_a_pending_one(water):
    await water.prices()
    p = await water.premises("P-10")
    a = await water.submit(p, AUG31, main=150)
    b = await water.submit(p, AUG31, main=151)
    listed = (await water.call("ListReadings", w.ListReadingsRequest(payer_id="P-10"))).readings
    status = {x.reading_id: x.status for x in listed}
    assert status == {a.reading.reading_id: "superseded", b.reading.reading_id: "pending"}
