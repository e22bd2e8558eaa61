"""Bad input named by field and nothing written; rates above the maxima; who may see what."""

from __future__ import annotations

from datetime import date

import grpc
import pytest

from portal.property_tax.v1 import property_tax_pb2 as pb

from ..conftest import YEAR, charge_events, enter, field_of, house, pb_date, person


async def refused(call, request, **kw) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call(request, **kw)
    return err.value


def filing(payer_id: str, objects, **kw) -> pb.FileInformationRequest:
    return pb.FileInformationRequest(
        payer_id=payer_id, event_date=pb_date(date(2027, 6, 12)), objects=objects, **kw
    )


async def test_rate_above_the_statutory_maximum_is_refused(tax):
    _, client = tax
    # 2026 maxima ship with the service: residential buildings 1.25 zł/m²
    over = await refused(
        client.SetRate,
        pb.SetRateRequest(
            rate=pb.Rate(year=2026, category="building_residential", rate_grosze=126)
        ),
    )
    assert over.code() == grpc.StatusCode.INVALID_ARGUMENT and field_of(over) == "rate_grosze"
    assert "1,26 zł" in over.details() and "maksymalną stawkę 1,25 zł" in over.details()
    ok = await client.SetRate(
        pb.SetRateRequest(rate=pb.Rate(year=2026, category="building_residential", rate_grosze=125))
    )
    assert (ok.rate.rate_grosze, ok.rate.max_grosze) == (125, 125)
    water = await refused(
        client.SetRate,
        pb.SetRateRequest(rate=pb.Rate(year=2026, category="land_water", rate_grosze=716)),
    )
    assert "7,15 zł" in water.details()
    structure = await refused(
        client.SetRate,
        pb.SetRateRequest(rate=pb.Rate(year=2026, category="structure", rate_percent="2,5")),
    )
    assert field_of(structure) == "rate_percent"
    unknown_year = await refused(
        client.SetRate,
        pb.SetRateRequest(rate=pb.Rate(year=2030, category="land_other", rate_grosze=10)),
    )
    assert unknown_year.code() == grpc.StatusCode.FAILED_PRECONDITION
    rates = await client.ListRates(pb.ListRatesRequest(year=2026))
    assert rates.maxima_known and len(rates.rates) == 10
    by_key = {r.category: r for r in rates.rates}
    assert (by_key["land_other"].max_grosze, by_key["structure"].max_percent) == (77, "2")


@pytest.mark.parametrize(
    ("obj", "field", "words"),
    [
        (pb.TaxObject(category="land_other", location="dz. 1", area="-800"), "objects[0].area",
         "nie może być ujemna"),
        (pb.TaxObject(category="land_forest", location="dz. 1", area="800"), "objects[0].category",
         "nieznany rodzaj"),
        (pb.TaxObject(category="land_other", location="dz. 1", area="800", share="1/2",
                      co_owners=[pb.CoOwner(name="Anna Nowak", share="1/4")]), "objects[0].share",
         "sumują się do 3/4"),
        (pb.TaxObject(category="land_other", location="dz. 1", area="osiemset"), "objects[0].area",
         "podaj liczbę"),
        (pb.TaxObject(category="building_residential", location="", area="80"),
         "objects[0].location", "położenie"),
        (pb.TaxObject(category="structure", location="wiata", value="0"), "objects[0].value",
         "wartość"),
        (pb.TaxObject(category="land_other", location="dz. 1", area="800", share="3/2"),
         "objects[0].share", "nie większy niż 1"),
    ],
)  # fmt: skip
async def test_bad_objects_are_refused_naming_the_field_and_nothing_is_written(
    tax, issuer, obj, field, words
):
    _rt, client = tax
    resident = issuer.token("res-9", roles=["resident"], payers=["P-9"])
    err = await refused(
        client.FileInformation,
        filing("P-9", [*house(), obj], taxpayer=person("P-9")),
        token=resident,
    )
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_of(err) == field.replace("[0]", "[2]") and words in err.details()
    assert "Pozycja 3" in err.details()
    listed = await client.ListFilings(pb.ListFilingsRequest(payer_id="P-9"))
    assert list(listed.filings) == []
    missing = await refused(client.GetTaxpayer, pb.GetTaxpayerRequest(payer_id="P-9"))
    assert missing.code() == grpc.StatusCode.NOT_FOUND


async def test_shares_summing_to_one_are_accepted(tax):
    _, client = tax
    shared = pb.TaxObject(
        category="land_other", location="dz. 5", area="900", share="1/3",
        co_owners=[pb.CoOwner(name="Anna Nowak", share="1/3"), pb.CoOwner(name="Ewa Nowak", share="1/3")],
    )  # fmt: skip
    done = await enter(client, "P-10", [shared], date(2020, 1, 1), taxpayer=person("P-10"))
    assert [c.share for c in done.filing.objects[0].co_owners] == ["1/3", "1/3"]
    a = await client.IssueDecision(
        pb.IssueDecisionRequest(payer_id="P-10", year=YEAR, issued_on=pb_date(date(2027, 2, 1)))
    )
    # 900 m² × 0.47 zł × 1/3 = 141 zł
    assert a.tax_grosze == 14100


async def test_resident_files_a_draft_the_clerk_confirms_or_rejects(tax, issuer):
    _rt, client = tax
    resident = issuer.token("res-11", roles=["resident"], payers=["P-11"])
    made = await client.FileInformation(
        filing("P-11", house(), taxpayer=person("P-11"), as_draft=False), token=resident
    )
    assert (made.filing.status, made.filing.form) == ("draft", "IN-1")
    drafts = await client.ListFilings(pb.ListFilingsRequest(status="draft"))
    assert [f.payer_id for f in drafts.filings] == ["P-11"]
    no_reason = await refused(
        client.RejectFiling, pb.RejectFilingRequest(filing_id=made.filing.filing_id)
    )
    assert field_of(no_reason) == "reason"
    confirmed = await client.ConfirmFiling(pb.ConfirmFilingRequest(filing_id=made.filing.filing_id))
    assert confirmed.filing.status == "confirmed" and not confirmed.HasField("assessment")
    objects = await client.ListObjects(
        pb.ListObjectsRequest(payer_id="P-11", as_of=pb_date(date(2027, 8, 1))), token=resident
    )
    assert [o.area for o in objects.objects] == ["120", "800"]
    again = await refused(
        client.ConfirmFiling, pb.ConfirmFilingRequest(filing_id=made.filing.filing_id)
    )
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_access_decisions_only_for_visible_payers(tax, issuer):
    rt, client = tax
    await enter(client, "P-12", house(), date(2015, 1, 1), taxpayer=person("P-12"))
    # a payer the office has no record of: the clerk cannot issue a decision for it
    unknown = await refused(
        client.IssueDecision, pb.IssueDecisionRequest(payer_id="P-404", year=YEAR)
    )
    assert unknown.code() == grpc.StatusCode.NOT_FOUND
    resident = issuer.token("res-12", roles=["resident"], payers=["P-12"])
    other = issuer.token("res-13", roles=["resident"], payers=["P-13"])
    by_resident = await refused(
        client.IssueDecision, pb.IssueDecisionRequest(payer_id="P-12", year=YEAR), token=resident
    )
    assert by_resident.code() == grpc.StatusCode.PERMISSION_DENIED
    a = await client.IssueDecision(
        pb.IssueDecisionRequest(payer_id="P-12", year=YEAR, issued_on=pb_date(date(2027, 2, 1)))
    )
    own = await client.GetDecisionFile(
        pb.GetDecisionFileRequest(assessment_id=a.assessment_id), token=resident
    )
    assert own.content.startswith(b"%PDF")
    theirs = await refused(
        client.GetDecisionFile,
        pb.GetDecisionFileRequest(assessment_id=a.assessment_id),
        token=other,
    )
    assert theirs.code() == grpc.StatusCode.NOT_FOUND
    for call, request in (
        (client.ListObjects, pb.ListObjectsRequest(payer_id="P-12")),
        (client.ListAssessments, pb.ListAssessmentsRequest(payer_id="P-12")),
        (client.ListFilings, pb.ListFilingsRequest(payer_id="P-12")),
        (client.PreviewAssessment, pb.PreviewAssessmentRequest(payer_id="P-12", year=YEAR)),
        (client.FileInformation, filing("P-12", house())),
    ):
        err = await refused(call, request, token=other)
        assert err.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)
    for call, request in (
        (client.ListFilings, pb.ListFilingsRequest(status="draft")),
        (
            client.SetRate,
            pb.SetRateRequest(rate=pb.Rate(year=2026, category="land_other", rate_grosze=1)),
        ),
        (client.SearchTaxpayers, pb.SearchTaxpayersRequest(query="")),
        (client.ConfirmFiling, pb.ConfirmFilingRequest(filing_id="x")),
    ):
        err = await refused(call, request, token=resident)
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    assert len(await charge_events(rt)) == 4


async def test_invalid_identifiers_and_company_forms(tax):
    _, client = tax
    bad = await refused(
        client.RegisterTaxpayer,
        pb.RegisterTaxpayerRequest(taxpayer=pb.Taxpayer(payer_id="P-20", kind="person",
                                                        name="Jan", identifier="12345678901")),
    )  # fmt: skip
    assert field_of(bad) == "identifier" and "PESEL" in bad.details()
    await client.RegisterTaxpayer(
        pb.RegisterTaxpayerRequest(
            taxpayer=pb.Taxpayer(payer_id="F-20", kind="company", name="Firma")
        )
    )
    wrong_form = await refused(
        client.FileInformation,
        pb.FileInformationRequest(payer_id="F-20", form="IN-1", event_date=pb_date(date(2027, 1, 1)),
                                  objects=house()),
    )  # fmt: skip
    assert field_of(wrong_form) == "form"
    no_date = await refused(
        client.FileInformation, pb.FileInformationRequest(payer_id="F-20", objects=house())
    )
    assert field_of(no_date) == "event_date"
