"""FA(3) structured invoices: the XML of a company's invoice and correction, access, KSeF sending."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import grpc
import pytest
from ksef_client.documents.fa3 import FA3InvoiceKind, parse_invoice_xml, validate_fa3_xml_xsd
from ksef_fake import FakeKsef
from lxml import etree

from billing.app import definition, ksef_build, ksef_send
from billing.charges.intake import intake
from billing.charges.schemas import ChargeIn, LineIn
from billing.context import Context, today
from billing.ksef.models import EInvoice
from billing.payers.models import Payer
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal_platform.rpc.client import call_metadata

NS = "{http://crd.gov.pl/wzor/2025/06/25/13775/}"
GMINA_NIP = "5252248481"
UNIT_NIP = "1132191233"
COMPANY_NIP = "7740001454"
TOKEN = "20260101-EC-TEST-TOKEN"


def water_invoice(payer: str, nip: str = COMPANY_NIP, name: str = "Piekarnia Kłos sp. z o.o."):
    """Water, an estimate settled (−5 m³) and abonament: rates 8 and 23, VAT per rate."""
    lines = (
        LineIn(
            "Woda 01.06–31.08.2026", Decimal("20"), "m3", 489, 9_780, "8", 782, 10_562,
            date(2026, 6, 1), date(2026, 8, 31),
        ),
        LineIn(
            "Rozliczenie faktury szacunkowej", Decimal("-5"), "m3", 489, -2_445, "8", -195,
            -2_640, date(2026, 6, 1), date(2026, 8, 31),
        ),
        LineIn(
            "Abonament wodny 06.2026–08.2026 [3 mies.]", Decimal("3"), "mies.", 885, 2_655,
            "23", 611, 3_266, date(2026, 6, 1), date(2026, 8, 31),
        ),
    )  # fmt: skip
    return ChargeIn(
        event_id=str(uuid.uuid4()),
        payer_id=payer,
        module="water",
        idempotency_key=str(uuid.uuid4()),
        document_kind="invoice",
        title="Faktura za wodę 06–08.2026",
        lines=lines,
        due_dates=(date(2026, 9, 14),),
        payer_name=name,
        payer_address="ul. Polna 3, 21-075 Ludwin",
        payer_nip=nip,
    )


GROSS = 10_562 - 2_640 + 3_266  # 111,88 zł


def settings(**extra):
    return {
        "module_regimes": "water=civil,waste=tax",
        "gmina_nip": GMINA_NIP,
        "gmina_unit_name": "Urząd Gminy Ludwin",
        "gmina_unit_nip": UNIT_NIP,
        "gmina_unit_address": "Ludwin 51, 21-075 Ludwin",
        **extra,
    }


async def start(start_service, issuer, charge, **extra):
    rt = await start_service(definition, **settings(**extra))
    ctx = Context.from_settings(rt.settings)
    async with rt.db.transaction() as s:
        booked = await intake(
            s,
            ctx,
            [
                water_invoice("P-C"),
                water_invoice("P-D", nip="5260250995", name="Warsztat Nowak"),
                charge("P-K", 10_000, module="water", kind="invoice"),  # a consumer, no NIP
            ],
        )
    ch = grpc.aio.insecure_channel(f"127.0.0.1:{rt.grpc_server.port}")
    clerk = call_metadata(issuer.token("clerk-1", roles=["clerk"]))
    docs = {d.payer_id: d for d in booked.documents}
    return rt, ch, billing_pb2_grpc.BillingServiceStub(ch), clerk, docs


@pytest.fixture
async def office(start_service, issuer, charge):
    rt, ch, api, clerk, docs = await start(start_service, issuer, charge)
    yield rt, api, clerk, docs
    await ch.close()


def rates(xml: bytes) -> dict[str, str]:
    fa = etree.fromstring(xml).find(f"{NS}Fa")
    return {
        tag: fa.findtext(f"{NS}{tag}")
        for tag in ("P_13_1", "P_14_1", "P_13_2", "P_14_2", "P_15")
        if fa.find(f"{NS}{tag}") is not None
    }


async def test_company_invoice_xml_parses_back_with_nips_lines_and_totals_per_rate(office, issuer):
    rt, api, clerk, docs = office
    doc = docs["P-C"]
    f = await api.GetStructuredInvoice(
        billing_pb2.GetStructuredInvoiceRequest(document_id=doc.id), metadata=clerk
    )
    xml = f.content
    assert f.content_type == "application/xml" and f.filename.endswith("_FA3.xml")
    validate_fa3_xml_xsd(xml)  # the official FA(3) XSD shipped with ksef-client
    root = etree.fromstring(xml)
    assert root.tag == f"{NS}Faktura"
    assert root.findtext(f"{NS}Podmiot1/{NS}DaneIdentyfikacyjne/{NS}NIP") == GMINA_NIP
    assert root.findtext(f"{NS}Podmiot2/{NS}DaneIdentyfikacyjne/{NS}NIP") == COMPANY_NIP
    assert root.findtext(f"{NS}Podmiot3/{NS}DaneIdentyfikacyjne/{NS}NIP") == UNIT_NIP
    assert root.findtext(f"{NS}Podmiot3/{NS}Rola") == "7"  # JST – wystawca
    # per rate: 8% = 97,80 − 24,45 net, 7,82 − 1,95 VAT; 23% = 26,55 + 6,11
    assert rates(xml) == {
        "P_13_1": "26.55",
        "P_14_1": "6.11",
        "P_13_2": "73.35",
        "P_14_2": "5.87",
        "P_15": "111.88",
    }
    inv = parse_invoice_xml(xml)
    assert inv.kind is FA3InvoiceKind.BASIC and inv.invoice_number == doc.number
    assert inv.total_gross * 100 == GROSS == doc.gross_grosze
    assert [(x.description, x.unit, x.quantity, x.unit_net_price) for x in inv.lines] == [
        ("Woda 01.06–31.08.2026", "m3", Decimal("20"), Decimal("4.89")),
        ("Rozliczenie faktury szacunkowej", "m3", Decimal("-5"), Decimal("4.89")),
        ("Abonament wodny 06.2026–08.2026 [3 mies.]", "mies.", Decimal("3"), Decimal("8.85")),
    ]
    assert [(x.effective_net_amount, x.tax.xml_rate) for x in inv.lines] == [
        (Decimal("97.80"), "8"),
        (Decimal("-24.45"), "8"),
        (Decimal("26.55"), "23"),
    ]
    fa = root.find(f"{NS}Fa")
    assert fa.findtext(f"{NS}P_1") == doc.issued_on.isoformat()
    assert fa.findtext(f"{NS}OkresFa/{NS}P_6_Od") == "2026-06-01"
    async with rt.db.sessions() as s:
        account = (await s.get(Payer, "P-C")).virtual_account
    pay = fa.find(f"{NS}Platnosc")
    assert pay.findtext(f"{NS}TerminPlatnosci/{NS}Termin") == "2026-09-14"
    assert pay.findtext(f"{NS}FormaPlatnosci") == "6"
    assert pay.findtext(f"{NS}RachunekBankowy/{NS}NrRB") == account
    again = await api.GetStructuredInvoice(
        billing_pb2.GetStructuredInvoiceRequest(document_id=doc.id), metadata=clerk
    )
    assert again.content == xml  # built once and kept
    listed = await api.ListDocuments(
        billing_pb2.ListDocumentsRequest(payer_id="P-C"), metadata=clerk
    )
    assert [(d.ksef_status, d.ksef_number) for d in listed.documents] == [("ready", "")]


def correction_line(quantity: str, net: int, vat: int) -> billing_pb2.ChargeLine:
    return billing_pb2.ChargeLine(
        description="Woda 01.06–31.08.2026", quantity=quantity, unit="m3",
        unit_net_grosze=489, net_grosze=net, vat_rate="8", vat_grosze=vat,
        gross_grosze=net + vat,
    )  # fmt: skip


async def correct(api, clerk, doc, *lines, reason="Błędny odczyt wodomierza"):
    corr = await api.IssueCorrection(
        billing_pb2.IssueCorrectionRequest(document_id=doc.id, reason=reason, lines=list(lines)),
        metadata=clerk,
    )
    f = await api.GetStructuredInvoice(
        billing_pb2.GetStructuredInvoiceRequest(document_id=corr.document.document_id),
        metadata=clerk,
    )
    validate_fa3_xml_xsd(f.content)
    inv = parse_invoice_xml(f.content)
    assert inv.kind is FA3InvoiceKind.CORRECTION
    assert inv.correction_reason == reason
    assert [(c.invoice_number, c.issue_date) for c in inv.corrected_invoices] == [
        (doc.number, doc.issued_on)
    ]
    fa = etree.fromstring(f.content).find(f"{NS}Fa")
    assert fa.findtext(f"{NS}RodzajFaktury") == "KOR"
    assert fa.findtext(f"{NS}DaneFaKorygowanej/{NS}NrKSeFN") == "1"  # KSeF is off here
    assert int(Decimal(fa.findtext(f"{NS}P_15")) * 100) == corr.document.gross_grosze
    return corr.document, inv, fa


async def test_correction_references_its_invoice_with_lines_before_and_after(office):
    rt, api, clerk, _docs = office
    invoice = water_invoice("P-E", nip="9542751368")
    invoice = ChargeIn(**{**invoice.__dict__, "lines": invoice.lines[:1]})  # 20 m³ only
    async with rt.db.transaction() as s:
        doc = (await intake(s, Context.from_settings(rt.settings), [invoice])).documents[0]
    corr, inv, fa = await correct(api, clerk, doc, correction_line("12", 5_868, 469))
    assert corr.gross_grosze == 6_337 - 10_562
    assert [(x.before_correction, x.quantity) for x in inv.lines] == [
        (True, Decimal("20")),  # StanPrzed: the line as it stood
        (False, Decimal("12")),
    ]
    assert fa.findtext(f"{NS}P_13_2") == "-39.12" and fa.findtext(f"{NS}P_14_2") == "-3.13"
    assert fa.find(f"{NS}Platnosc") is None  # nothing to pay on a decrease


async def test_correction_of_an_invoice_with_a_settled_estimate_lists_differences(office):
    _rt, api, clerk, docs = office
    corr, inv, _fa = await correct(api, clerk, docs["P-C"], correction_line("12", 5_868, 469))
    assert corr.gross_grosze == 6_337 - GROSS
    # every line as it stood taken back, then the new one (no StanPrzed: see fa3.py)
    assert [(x.before_correction, x.quantity) for x in inv.lines] == [
        (False, Decimal("-20")),
        (False, Decimal("5")),
        (False, Decimal("-3")),
        (False, Decimal("12")),
    ]


async def test_consumer_gets_no_xml_and_a_resident_sees_only_own_xml(office, issuer):
    _rt, api, clerk, docs = office
    listed = await api.ListDocuments(
        billing_pb2.ListDocumentsRequest(payer_id="P-K"), metadata=clerk
    )
    assert [d.ksef_status for d in listed.documents] == [""]
    with pytest.raises(grpc.aio.AioRpcError) as none:
        await api.GetStructuredInvoice(
            billing_pb2.GetStructuredInvoiceRequest(document_id=docs["P-K"].id), metadata=clerk
        )
    assert none.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "NIP" in none.value.details()
    own = call_metadata(issuer.token("u-c", roles=["resident"], payers=["P-C"]))
    mine = await api.GetStructuredInvoice(
        billing_pb2.GetStructuredInvoiceRequest(document_id=docs["P-C"].id), metadata=own
    )
    assert COMPANY_NIP.encode() in mine.content
    with pytest.raises(grpc.aio.AioRpcError) as other:
        await api.GetStructuredInvoice(
            billing_pb2.GetStructuredInvoiceRequest(document_id=docs["P-D"].id), metadata=own
        )
    assert other.value.code() == grpc.StatusCode.NOT_FOUND


async def test_unit_with_the_gminas_nip_is_not_a_third_party(start_service, issuer, charge):
    _rt, ch, api, clerk, docs = await start(start_service, issuer, charge, gmina_unit_nip=GMINA_NIP)
    f = await api.GetStructuredInvoice(
        billing_pb2.GetStructuredInvoiceRequest(document_id=docs["P-C"].id), metadata=clerk
    )
    assert etree.fromstring(f.content).find(f"{NS}Podmiot3") is None
    await ch.close()


async def test_missing_gmina_nip_is_a_clear_failure_kept_until_fixed(start_service, issuer, charge):
    _rt, ch, api, clerk, docs = await start(start_service, issuer, charge, gmina_nip="")
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await api.GetStructuredInvoice(
            billing_pb2.GetStructuredInvoiceRequest(document_id=docs["P-C"].id), metadata=clerk
        )
    assert failed.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "BILLING_GMINA_NIP" in failed.value.details()
    listed = await api.ListDocuments(
        billing_pb2.ListDocumentsRequest(payer_id="P-C"), metadata=clerk
    )
    assert listed.documents[0].ksef_status == "failed"
    assert "NIP gminy" in listed.documents[0].ksef_error
    await ch.close()


async def test_ksef_build_command_builds_every_company_invoice_once(office, capsys):
    rt, *_ = office
    assert await ksef_build(rt, []) == 0
    assert "utworzono 2, błędnych 0" in capsys.readouterr().out
    assert await ksef_build(rt, []) == 0
    assert "utworzono 0" in capsys.readouterr().out
    async with rt.db.sessions() as s:
        from sqlalchemy import select

        rows = (await s.execute(select(EInvoice))).scalars().all()
    assert sorted(r.status for r in rows) == ["ready", "ready"]


async def test_ksef_send_against_a_local_ksef(start_service, issuer, charge, capsys):
    with FakeKsef(token=TOKEN, nip=GMINA_NIP) as fake:
        rt, ch, api, clerk, docs = await start(
            start_service,
            issuer,
            charge,
            ksef_env="test",
            ksef_base_url=fake.url,
            ksef_token=TOKEN,
            ksef_poll_seconds=0,
            ksef_since=today().isoformat(),  # what is issued today goes
        )
        fake.refuse.add(docs["P-D"].number)
        line = billing_pb2.ChargeLine(
            description="Woda", quantity="1", unit="m3", unit_net_grosze=489,
            net_grosze=489, vat_rate="8", vat_grosze=39, gross_grosze=528,
        )  # fmt: skip
        corr = await api.IssueCorrection(
            billing_pb2.IssueCorrectionRequest(
                document_id=docs["P-C"].id, reason="Błędny odczyt", lines=[line]
            ),
            metadata=clerk,
        )
        with pytest.raises(grpc.aio.AioRpcError) as waits:
            await api.GetStructuredInvoice(
                billing_pb2.GetStructuredInvoiceRequest(document_id=corr.document.document_id),
                metadata=clerk,
            )
        assert "nie ma jeszcze numeru KSeF" in waits.value.details()

        assert await ksef_send(rt, []) == 0
        out = capsys.readouterr().out
        assert "wysłano 2, przyjętych 1, odrzuconych 1" in out
        sent = fake.received[docs["P-C"].number]
        async with rt.db.sessions() as s:
            kept = await s.get(EInvoice, docs["P-C"].id)
            refused = await s.get(EInvoice, docs["P-D"].id)
        assert sent == kept.xml  # what KSeF decrypted is the XML we keep
        assert kept.status == "accepted"
        assert kept.ksef_number == fake.ksef_numbers[docs["P-C"].number]
        assert refused.status == "rejected" and "450" in refused.error
        assert "Nieprawidłowy NIP nabywcy" in refused.error

        # the next run: the correction now carries its invoice's KSeF number
        assert await ksef_send(rt, []) == 0
        assert "wysłano 1, przyjętych 1" in capsys.readouterr().out
        fa = etree.fromstring(fake.received[corr.document.number]).find(f"{NS}Fa")
        ref = fa.find(f"{NS}DaneFaKorygowanej")
        assert ref.findtext(f"{NS}NrKSeFFaKorygowanej") == kept.ksef_number
        assert ref.findtext(f"{NS}NrFaKorygowanej") == docs["P-C"].number
        listed = await api.ListDocuments(
            billing_pb2.ListDocumentsRequest(payer_id="P-C"), metadata=clerk
        )
        assert sorted(d.ksef_status for d in listed.documents) == ["accepted", "accepted"]
        assert await ksef_send(rt, []) == 0  # nothing new: nothing sent twice
        assert "wysłano 0" in capsys.readouterr().out
        await ch.close()


async def test_ksef_send_unreachable_keeps_everything_for_the_next_run(
    start_service, issuer, charge, capsys
):
    with FakeKsef(token=TOKEN, nip=GMINA_NIP) as fake:
        url = fake.url
    rt, ch, *_ = await start(
        start_service,
        issuer,
        charge,
        ksef_env="test",
        ksef_base_url=url,
        ksef_token=TOKEN,
        ksef_since=today().isoformat(),  # what is issued today goes
    )
    assert await ksef_send(rt, []) == 1
    assert "błąd:" in capsys.readouterr().out
    async with rt.db.sessions() as s:
        from sqlalchemy import select

        rows = (await s.execute(select(EInvoice))).scalars().all()
    assert sorted(r.status for r in rows) == ["ready", "ready"]
    await ch.close()


async def test_ksef_send_is_off_by_default(office, capsys):
    rt, *_ = office
    assert await ksef_send(rt, []) == 2
    assert "BILLING_KSEF_ENV" in capsys.readouterr().err
