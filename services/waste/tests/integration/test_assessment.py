"""Assessment on a real database: four installments, recalculation, cottage, caps, holidays."""

from __future__ import annotations

from datetime import date

import grpc
import pytest

from portal.billing.v1 import billing_pb2
from portal.waste.v1 import waste_pb2
from portal_platform.messaging.outbox import Outbox
from waste.app import definition
from waste.assessment import recalc
from waste.assessment.context import no_water
from waste.db import outbox_table
from waste.declarations import service as declarations
from waste.declarations.schemas import Filing, RawInput

from ..conftest import WasteClient, charge_events, field_of, pb_date, setup_rates

YEAR = 2027
FEE_NOTICE = billing_pb2.DOCUMENT_KIND_FEE_NOTICE


async def register(client: WasteClient, pid: str, payer: str, kind: str = "single_family"):
    await client.RegisterProperty(
        waste_pb2.RegisterPropertyRequest(
            property_id=pid, payer_id=payer, address=f"Ludwin {pid}", kind=kind
        )
    )


async def file_paper(client: WasteClient, pid: str, payer: str, inp: waste_pb2.DeclarationInput):
    return await client.FileDeclaration(
        waste_pb2.FileDeclarationRequest(
            property_id=pid,
            payer_id=payer,
            input=inp,
            change_date=pb_date(date(YEAR, 1, 1)),
            filed_on=pb_date(date(2026, 11, 20)),
        )
    )


@pytest.fixture
async def waste(start_service, clerk_token):
    rt = await start_service(definition, in_process_workers=False)
    client = WasteClient(rt.grpc_server.port, clerk_token)
    await setup_rates(client, YEAR)
    yield rt, client
    await client.close()


async def test_four_residents_composting_make_four_installments_of_420(waste):
    rt, client = waste
    await register(client, "N-1", "P-1")
    await file_paper(
        client,
        "N-1",
        "P-1",
        waste_pb2.DeclarationInput(method="per_resident", residents="4", composting=True),
    )
    preview = await client.PreviewAssessment(waste_pb2.PreviewAssessmentRequest(year=YEAR))
    assert (preview.payers, preview.installments, preview.total_grosze) == (1, 4, 168000)
    assert await charge_events(rt) == []

    first = await client.RunAssessment(waste_pb2.RunAssessmentRequest(year=YEAR))
    assert (first.installments, first.charges_requested, first.total_grosze) == (4, 4, 168000)
    events = await charge_events(rt)
    assert [e.lines[0].gross_grosze for e in events] == [42000] * 4
    assert {e.document_kind for e in events} == {billing_pb2.DOCUMENT_KIND_INSTALLMENT}
    assert [(d.month, d.day) for e in events for d in e.due_dates] == [
        (3, 15), (5, 17), (9, 15), (11, 15),
    ]  # fmt: skip
    assert len({e.idempotency_key for e in events}) == 4

    again = await client.RunAssessment(waste_pb2.RunAssessmentRequest(year=YEAR))
    assert (again.charges_requested, again.already_assessed) == (0, 4)
    assert len(await charge_events(rt)) == 4

    listed = await client.ListInstallments(
        waste_pb2.ListInstallmentsRequest(payer_id="P-1", year=YEAR)
    )
    assert listed.yearly_grosze == 168000
    assert [i.amount_grosze for i in listed.installments] == [42000] * 4


async def test_change_in_june_recomputes_september_and_november_only(waste):
    rt, client = waste
    await register(client, "N-2", "P-2")
    await file_paper(
        client,
        "N-2",
        "P-2",
        waste_pb2.DeclarationInput(method="per_resident", residents="4", composting=True),
    )
    await client.RunAssessment(waste_pb2.RunAssessmentRequest(year=YEAR))
    outbox = Outbox(outbox_table, "waste")
    filing = Filing(
        "N-2", "P-2", RawInput("per_resident", residents="3", composting=True),
        date(YEAR, 6, 5), date(YEAR, 6, 20), "clerk-1", by_staff=True, as_draft=False,
    )  # fmt: skip
    async with rt.db.transaction() as s:
        _, result = await declarations.file(s, outbox, filing, no_water, today=date(YEAR, 6, 20))
    assert (result.installments_changed, result.difference_grosze) == (2, -24500)
    listed = await client.ListInstallments(
        waste_pb2.ListInstallmentsRequest(payer_id="P-2", year=YEAR)
    )
    assert [i.amount_grosze for i in listed.installments] == [42000, 42000, 28000, 31500]
    # The decreases go to billing at once as negative fee notices naming their installments.
    assert [len(i.charge_keys) for i in listed.installments] == [1, 1, 2, 2]
    notices = [e for e in await charge_events(rt) if e.document_kind == FEE_NOTICE]
    assert [
        (n.due_dates[0].month, n.lines[0].gross_grosze, n.corrects_idempotency_key) for n in notices
    ] == [
        (9, -14000, listed.installments[2].charge_keys[0]),
        (11, -10500, listed.installments[3].charge_keys[0]),
    ]
    async with rt.db.transaction() as s:
        assert await recalc.send_held_credits(s, outbox) == 0
    # Recalculating again changes nothing.
    async with rt.db.transaction() as s:
        again = await recalc.after_declaration_change(
            s, outbox, listed.installments[0].declaration_id, date(YEAR, 6, 1), no_water,
            today=date(YEAR, 6, 20), cause="test",
        )  # fmt: skip
    assert again.installments_changed == 0


async def test_cottage_pays_one_yearly_lump_sum(waste):
    rt, client = waste
    await register(client, "N-3", "P-3", kind="cottage")
    await file_paper(client, "N-3", "P-3", waste_pb2.DeclarationInput(method="cottage"))
    await client.RunAssessment(waste_pb2.RunAssessmentRequest(year=YEAR))
    listed = await client.ListInstallments(
        waste_pb2.ListInstallmentsRequest(payer_id="P-3", year=YEAR)
    )
    assert [(i.number, i.amount_grosze) for i in listed.installments] == [(0, 21000)]
    due = listed.installments[0].due_date
    assert (due.month, due.day) == (5, 17)
    events = await charge_events(rt)
    assert len(events) == 1 and "ryczałt" in events[0].title


async def test_rate_above_the_cap_is_refused(waste):
    _rt, client = waste
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await setup_rates(client, 2028, per_resident=6335)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_of(err.value) == "rate_grosze"
    assert "63,34" in err.value.details()
    await setup_rates(client, 2028, per_resident=6334)
    rates = await client.ListRates(waste_pb2.ListRatesRequest(year=2028))
    assert any(r.method == "per_resident" and r.rate_grosze == 6334 for r in rates.rates)


async def test_due_dates_on_a_sunday_and_a_holiday_move(waste):
    _rt, client = waste
    entries = [
        waste_pb2.ScheduleEntry(number=1, month=3, day=15, months_from=1, months_to=3),
        waste_pb2.ScheduleEntry(number=2, month=6, day=4, months_from=4, months_to=6),
        waste_pb2.ScheduleEntry(number=3, month=9, day=15, months_from=7, months_to=9),
        waste_pb2.ScheduleEntry(number=4, month=11, day=15, months_from=10, months_to=12),
    ]
    await client.SetSchedule(
        waste_pb2.SetScheduleRequest(
            schedule=waste_pb2.Schedule(year=2026, entries=entries, cottage_month=5, cottage_day=15)
        )
    )
    got = await client.GetSchedule(waste_pb2.GetScheduleRequest(year=2026))
    dates = [date(d.year, d.month, d.day) for d in got.due_dates]
    assert dates[1] == date(2026, 6, 5)  # 4 June 2026: Corpus Christi (Thursday) → Friday
    assert dates[3] == date(2026, 11, 16)  # 15 November 2026 is a Sunday
    assert dates[0] == date(2026, 3, 16)  # 15 March 2026 is a Sunday
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.SetSchedule(
            waste_pb2.SetScheduleRequest(
                schedule=waste_pb2.Schedule(
                    year=2026, entries=entries[:3], cottage_month=5, cottage_day=15
                )
            )
        )
    assert field_of(err.value) == "entries"


async def test_a_large_batch_is_written_in_one_go_and_decodes(waste):
    rt, client = waste
    for i in range(60):
        await register(client, f"N-B{i}", f"P-B{i}")
        await file_paper(
            client, f"N-B{i}", f"P-B{i}",
            waste_pb2.DeclarationInput(method="per_resident", residents=str(1 + i % 5)),
        )  # fmt: skip
    summary = await client.RunAssessment(waste_pb2.RunAssessmentRequest(year=YEAR))
    assert (summary.payers, summary.charges_requested) == (60, 240)
    events = await charge_events(rt)
    assert len(events) == 240 and len({e.meta.event_id for e in events}) == 240
    assert all(e.meta.producer == "waste" and e.payer_id.startswith("P-B") for e in events)
    assert sum(e.lines[0].gross_grosze for e in events) == summary.total_grosze
    assert summary.total_grosze == sum(12 * 3700 * (1 + i % 5) for i in range(60))


async def test_a_new_rate_recalculates_open_installments_and_sends_notices(waste, issuer):
    rt, client = waste
    await register(client, "N-R", "P-R")
    await file_paper(
        client, "N-R", "P-R", waste_pb2.DeclarationInput(method="per_resident", residents="4")
    )
    await client.RunAssessment(waste_pb2.RunAssessmentRequest(year=YEAR))
    resp = await client.SetRate(
        waste_pb2.SetRateRequest(
            rate=waste_pb2.Rate(year=YEAR, method="per_resident", valid_from_month=7,
                                rate_grosze=4000, compost_discount_grosze=200,
                                non_sorting_multiplier="2")
        )
    )  # fmt: skip
    # From July 40.00 zł instead of 37.00: +12.00 zł a month for 4 residents, 3 months each.
    assert (resp.recalculation.installments_changed, resp.recalculation.notices) == (2, 2)
    listed = await client.ListInstallments(
        waste_pb2.ListInstallmentsRequest(payer_id="P-R", year=YEAR)
    )
    assert [i.amount_grosze for i in listed.installments] == [44400, 44400, 48000, 48000]
    assert [len(i.charge_keys) for i in listed.installments] == [1, 1, 2, 2]

    resident = issuer.token("res-r", roles=["resident"], payers=["P-R"])
    import grpc as _grpc

    from portal.module.v1 import module_pb2, module_pb2_grpc

    async with _grpc.aio.insecure_channel(f"127.0.0.1:{rt.grpc_server.port}") as ch:
        summary = await module_pb2_grpc.ModuleServiceStub(ch).SummarisePayer(
            module_pb2.SummarisePayerRequest(payer_id="P-R"),
            metadata=[("authorization", f"Bearer {resident}")],
        )
    assert summary.cards[0].body.startswith("Kwota roczna: 1")
    assert "rata 1" in summary.cards[1].body and "444,00 zł" in summary.cards[1].body
