"""Decisions and declarations on a real database: yearly tax, installments, changes, DN-1."""

from __future__ import annotations

import io
from datetime import date

import grpc
import pypdf
import pytest

from portal.billing.v1 import billing_pb2
from portal.property_tax.v1 import property_tax_pb2 as pb

from ..conftest import YEAR, charge_events, enter, field_of, house, pb_date, person, py_date


async def issue(client, payer_id: str, on: date, year: int = YEAR) -> pb.Assessment:
    return await client.IssueDecision(
        pb.IssueDecisionRequest(payer_id=payer_id, year=year, issued_on=pb_date(on))
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)


async def test_house_120_m2_on_800_m2_four_installments(tax):
    rt, client = tax
    await enter(client, "P-1", house(), date(2015, 5, 4), taxpayer=person("P-1"))
    preview = await client.PreviewAssessment(pb.PreviewAssessmentRequest(payer_id="P-1", year=YEAR))
    assert (preview.tax_grosze, preview.issued) == (51900, False)
    assert await charge_events(rt) == []

    # 120 m² × 1.19 zł + 800 m² × 0.47 zł = 142.80 + 376.00 = 518.80 zł → 519 zł
    a = await issue(client, "P-1", date(2027, 2, 10))
    assert (a.tax_grosze, a.version, a.from_month, a.at_once) == (51900, 1, 1, False)
    assert [(i.label, py_date(i.due_date), i.amount_grosze) for i in a.installments] == [
        ("rata 1", date(2027, 3, 15), 12975),
        ("rata 2", date(2027, 5, 17), 12975),  # 15.05.2027 is a Saturday
        ("rata 3", date(2027, 9, 15), 12975),
        ("rata 4", date(2027, 11, 15), 12975),
    ]
    events = await charge_events(rt)
    assert [e.lines[0].gross_grosze for e in events] == [12975] * 4
    assert [e.document_kind for e in events] == [billing_pb2.DOCUMENT_KIND_DECISION] + [
        billing_pb2.DOCUMENT_KIND_INSTALLMENT
    ] * 3
    assert {e.module for e in events} == {"property_tax"}
    assert events[0].payer.name == "Jan Kowalski" and events[0].lines[0].vat_rate == "np"
    assert [py_date(e.due_dates[0]) for e in events] == [
        py_date(i.due_date) for i in a.installments
    ]
    assert len({e.idempotency_key for e in events}) == 4
    decision_pdf = events[0].document.content
    assert decision_pdf.startswith(b"%PDF") and not events[1].HasField("document")
    text = pdf_text(decision_pdf)
    assert f"DECYZJA nr {a.number}" in text and "519,00 zł" in text and "518,80 zł" in text
    assert "Samorządowego Kolegium Odwoławczego" in text

    # Nothing changed: a second decision is refused and requests nothing.
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await issue(client, "P-1", date(2027, 2, 11))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert len(await charge_events(rt)) == 4
    f = await client.GetDecisionFile(pb.GetDecisionFileRequest(assessment_id=a.assessment_id))
    assert f.content == decision_pdf


async def test_tax_up_to_100_zl_is_due_at_once_by_15_march(tax):
    rt, client = tax
    plot = [pb.TaxObject(category="land_other", location="Ludwin, dz. 77", area="150")]
    await enter(client, "P-2", plot, date(2010, 1, 1), taxpayer=person("P-2"))
    a = await issue(client, "P-2", date(2027, 1, 20))
    # 150 m² × 0.47 zł = 70.50 zł → 71 zł
    assert (a.tax_grosze, a.at_once) == (7100, True)
    assert [(py_date(i.due_date), i.amount_grosze) for i in a.installments] == [
        (date(2027, 3, 15), 7100)
    ]
    (event,) = await charge_events(rt)
    assert event.lines[0].gross_grosze == 7100 and "jednorazowo" in event.title


async def test_purchase_in_june_gives_a_new_decision_from_july(tax):
    rt, client = tax
    await enter(client, "P-3", house(), date(2015, 5, 4), taxpayer=person("P-3"))
    first = await issue(client, "P-3", date(2027, 2, 10))
    garage = pb.TaxObject(category="building_other", location="Ludwin 12, garaż", area="20")
    await enter(client, "P-3", [*house(), garage], date(2027, 6, 12))
    change = await issue(client, "P-3", date(2027, 7, 20))
    # the garage: 20 m² × 7.00 zł = 140 zł a year, 6 months from July → 70 zł; 519 + 70 = 589 zł
    assert (change.version, change.from_month, change.previous_tax_grosze, change.tax_grosze) == (
        2, 7, first.tax_grosze, 58900,
    )  # fmt: skip
    assert [(i.label, i.amount_grosze, i.charged_grosze) for i in change.installments] == [
        ("rata 1", 12975, 0), ("rata 2", 12975, 0), ("rata 3", 16475, 3500), ("rata 4", 16475, 3500),
    ]  # fmt: skip
    events = (await charge_events(rt))[4:]
    assert [(e.lines[0].gross_grosze, py_date(e.due_dates[0])) for e in events] == [
        (3500, date(2027, 9, 15)), (3500, date(2027, 11, 15)),
    ]  # fmt: skip
    assert events[0].document_kind == billing_pb2.DOCUMENT_KIND_DECISION
    assert "DECYZJA ZMIENIAJĄCA" in pdf_text(events[0].document.content)
    listed = await client.ListAssessments(pb.ListAssessmentsRequest(payer_id="P-3", year=YEAR))
    assert [x.version for x in listed.assessments] == [2, 1]


async def test_garage_sold_in_june_lowers_the_september_and_november_charges(tax):
    rt, client = tax
    garage = pb.TaxObject(category="building_other", location="Ludwin 12, garaż", area="20")
    await enter(client, "P-5", [*house(), garage], date(2015, 5, 4), taxpayer=person("P-5"))
    first = await issue(client, "P-5", date(2027, 2, 10))
    await enter(client, "P-5", house(), date(2027, 6, 12))
    change = await issue(client, "P-5", date(2027, 7, 20))
    # 519 + 140 = 659 zł a year; without the garage from July: 659 − 70 = 589 zł
    assert (first.tax_grosze, change.tax_grosze) == (65900, 58900)
    assert [i.charged_grosze for i in change.installments][2:] == [-3500, -3500]
    events = await charge_events(rt)
    first_keys = {py_date(e.due_dates[0]): e.idempotency_key for e in events[:4]}
    decreases = events[4:]
    # the change decision lowers the earlier charges of installments 3 and 4 in billing
    assert [
        (e.lines[0].gross_grosze, e.document_kind, e.corrects_idempotency_key) for e in decreases
    ] == [
        (-3500, billing_pb2.DOCUMENT_KIND_DECISION, first_keys[date(2027, 9, 15)]),
        (-3500, billing_pb2.DOCUMENT_KIND_DECISION, first_keys[date(2027, 11, 15)]),
    ]
    assert "DECYZJA ZMIENIAJĄCA" in pdf_text(decreases[0].document.content)


async def test_first_purchase_in_june_taxed_from_july(tax):
    _rt, client = tax
    await enter(client, "P-4", house(), date(2027, 6, 12), taxpayer=person("P-4"))
    a = await issue(client, "P-4", date(2027, 7, 1))
    # 518.80 zł × 6/12 = 259.40 zł → 259 zł in the September and November installments
    assert (a.tax_grosze, a.from_month) == (25900, 7)
    assert [(i.label, py_date(i.due_date), i.amount_grosze) for i in a.installments] == [
        ("rata 3", date(2027, 9, 15), 12950), ("rata 4", date(2027, 11, 15), 12950),
    ]  # fmt: skip


async def test_legal_person_declares_and_pays_monthly(tax, issuer):
    rt, client = tax
    await client.RegisterTaxpayer(
        pb.RegisterTaxpayerRequest(
            taxpayer=pb.Taxpayer(payer_id="F-1", kind="company", name="Tartak Ludwin sp. z o.o.",
                                 address="Ludwin 80, 21-075 Ludwin", identifier="526-000-12-46")
        )
    )  # fmt: skip
    objects = [
        pb.TaxObject(category="building_business", location="Ludwin 80, hala", area="500"),
        pb.TaxObject(category="land_business", location="Ludwin 80, dz. 9/1", area="2000"),
        pb.TaxObject(category="structure", location="Ludwin 80, suszarnia", value="100005,00"),
    ]
    company = issuer.token("firma-1", roles=["resident"], payers=["F-1"])
    request = pb.FileInformationRequest(
        payer_id="F-1", form="DN-1", year=YEAR, event_date=pb_date(date(2020, 3, 1)),
        objects=objects, declared_tax_grosze=1_690_100,
    )  # fmt: skip
    # 500 × 25.00 + 2 000 × 1.20 + 2 % × 100 005.00 = 12 500 + 2 400 + 2 000.10 → 16 900 zł
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.FileInformation(request, token=company)
    assert field_of(err.value) == "declared_tax" and "16\u00a0900,00 zł" in err.value.details()
    request.declared_tax_grosze = 1_690_000
    filed = await client.FileInformation(request, token=company)
    assert filed.filing.status == "draft" and await charge_events(rt) == []
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await issue(client, "F-1", date(2027, 1, 20))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    done = await client.ConfirmFiling(pb.ConfirmFilingRequest(filing_id=filed.filing.filing_id))
    a = done.assessment
    assert (a.basis, a.tax_grosze, len(a.installments)) == ("declaration", 1_690_000, 12)
    # 1 690 000 / 12 = 140 833.33 → 140 833 a month, the 4 odd grosze in January
    assert [i.amount_grosze for i in a.installments] == [140_837] + [140_833] * 11
    dues = [py_date(i.due_date) for i in a.installments]
    assert dues[0] == date(2027, 2, 1)  # 31.01.2027 is a Sunday
    assert dues[1:5] == [date(2027, 2, 15), date(2027, 3, 15), date(2027, 4, 15), date(2027, 5, 17)]
    assert dues[7] == date(2027, 8, 16)  # 15.08 is a holiday and a Sunday
    events = await charge_events(rt)
    assert len(events) == 12 and {e.document_kind for e in events} == {
        billing_pb2.DOCUMENT_KIND_INSTALLMENT
    }
    assert events[0].payer.nip == "5260001246"


async def test_yearly_run_issues_every_persons_decision_once(tax):
    rt, client = tax
    for n in range(1, 6):
        await enter(client, f"R-{n}", house(), date(2015, 1, 1), taxpayer=person(f"R-{n}"))
    await issue(client, "R-1", date(2027, 1, 15))
    run = await client.IssueYearDecisions(
        pb.IssueYearDecisionsRequest(year=YEAR, issued_on=pb_date(date(2027, 2, 1)))
    )
    assert (run.issued, run.already_issued, run.total_grosze) == (4, 1, 4 * 51900)
    assert list(run.problems) == []
    again = await client.IssueYearDecisions(pb.IssueYearDecisionsRequest(year=YEAR))
    assert (again.issued, again.already_issued) == (0, 5)
    numbers = set()
    for n in range(1, 6):
        listed = await client.ListAssessments(pb.ListAssessmentsRequest(payer_id=f"R-{n}"))
        (a,) = listed.assessments
        numbers.add(a.number)
    assert len(numbers) == 5 and len(await charge_events(rt)) == 5 * 4
    # a year without the council's rates: reported per payer, nothing issued
    missing = await client.IssueYearDecisions(pb.IssueYearDecisionsRequest(year=2028))
    assert missing.issued == 0 and len(missing.problems) == 5
    assert "nie ustaliła stawek" in missing.problems[0].message
