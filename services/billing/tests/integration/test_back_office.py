"""Back office over gRPC: reminders, corrections, uploads, refunds, arrears, the ledger, the CLI."""

from __future__ import annotations

import io
from datetime import date

import grpc
import pypdf
import pytest

from billing.app import definition, import_statement
from billing.charges.intake import intake
from billing.context import Context
from billing.payers.models import Payer
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal.common.v1 import common_pb2
from portal_platform.rpc.client import call_metadata


def d(y, m, day):
    return common_pb2.Date(year=y, month=m, day=day)


@pytest.fixture
async def office(start_service, issuer, charge):
    rt = await start_service(
        definition,
        module_regimes="water=civil,waste=tax",
        tax_interest_rates="2000-01-01=10",
        civil_interest_rates="2000-01-01=10",
    )
    ctx = Context.from_settings(rt.settings)
    async with rt.db.transaction() as s:
        booked = await intake(
            s,
            ctx,
            [
                charge("P-1", 126_000, due=(date(2026, 1, 15),)),
                charge("P-1", 10_000, module="water", kind="invoice", due=(date(2026, 1, 15),)),
                charge("P-2", 5_000, due=(date(2099, 1, 1),)),
            ],
        )
    ch = grpc.aio.insecure_channel(f"127.0.0.1:{rt.grpc_server.port}")
    clerk = call_metadata(issuer.token("clerk-1", roles=["clerk"]))
    resident = call_metadata(issuer.token("u1", roles=["resident"], payers=["P-1"]))
    yield rt, billing_pb2_grpc.BillingServiceStub(ch), clerk, resident, booked
    await ch.close()


async def test_reminder_run_issues_upomnienie_with_16_zl_cost_for_the_tax_regime_only(office):
    _rt, api, clerk, resident, _ = office
    dry = await api.RunReminders(
        billing_pb2.RunRemindersRequest(as_of=d(2026, 3, 16), dry_run=True), metadata=clerk
    )
    assert [(c.payer_id, c.module) for c in dry.candidates] == [("P-1", "waste")]
    assert dry.candidates[0].interest_grosze == 2_100  # 1 260 zł, 60 days, 10%
    run = await api.RunReminders(
        billing_pb2.RunRemindersRequest(as_of=d(2026, 3, 16)), metadata=clerk
    )
    assert run.issued == 1
    doc = run.candidates[0].document
    assert doc.kind == billing_pb2.DOCUMENT_KIND_REMINDER and doc.number.startswith(
        "UPO/O/2026/03/"
    )
    again = await api.RunReminders(
        billing_pb2.RunRemindersRequest(as_of=d(2026, 3, 20)), metadata=clerk
    )
    assert again.issued == 0  # one reminder per overdue item
    pdf = await api.GetDocumentFile(
        billing_pb2.GetDocumentFileRequest(document_id=doc.document_id), metadata=resident
    )
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Upomnienie" in text and "16,00" in text
    balance = await api.GetBalance(
        billing_pb2.GetBalanceRequest(payer_id="P-1", as_of=d(2026, 3, 17)), metadata=resident
    )
    waste = next(b for b in balance.modules if b.module == "waste")
    assert waste.reminder_costs_grosze == 1_600
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await api.RunReminders(billing_pb2.RunRemindersRequest(dry_run=True), metadata=resident)
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_arrears_report_and_ledger_statement(office):
    _rt, api, clerk, resident, _ = office
    report = await api.GetArrearsReport(
        billing_pb2.GetArrearsReportRequest(as_of=d(2026, 3, 16)), metadata=clerk
    )
    assert {(r.payer_id, r.module, r.overdue_grosze) for r in report.rows} == {
        ("P-1", "waste", 126_000),
        ("P-1", "water", 10_000),
    }
    ledger = await api.GetLedger(billing_pb2.GetLedgerRequest(payer_id="P-1"), metadata=resident)
    balance = await api.GetBalance(billing_pb2.GetBalanceRequest(payer_id="P-1"), metadata=resident)
    # the charges are long overdue: the statement ends with the interest accrued until today,
    # so that its closing balance is what the payer has to pay today
    kinds = [e.kind for e in ledger.entries]
    assert kinds[:2] == ["charge", "charge"] and set(kinds[2:]) == {"interest"}
    accrued = [e for e in ledger.entries if e.kind == "interest"]
    assert {e.module for e in accrued} == {"waste", "water"}
    assert all("naliczone na dzień" in e.description and e.debit_grosze > 0 for e in accrued)
    assert balance.total.interest_grosze == sum(e.debit_grosze for e in accrued)
    assert ledger.closing_balance_grosze == balance.total.to_pay_grosze
    assert ledger.closing_balance_grosze == 136_000 + balance.total.interest_grosze


async def test_correction_reduces_the_charge_and_overpayment_is_refunded(office):
    rt, api, clerk, _resident, booked = office
    doc = next(x for x in booked.documents if x.payer_id == "P-2")
    cash = await api.RecordPayment(
        billing_pb2.RecordPaymentRequest(
            payer_id="P-2",
            amount_grosze=5_000,
            paid_on=d(2026, 1, 10),
            reference="KP/1/2026",
            charge_id=doc.charge_id,
        ),
        metadata=clerk,
    )
    assert cash.payment.status == "settled"
    again = await api.RecordPayment(
        billing_pb2.RecordPaymentRequest(
            payer_id="P-2", amount_grosze=5_000, paid_on=d(2026, 1, 10), reference="KP/1/2026"
        ),
        metadata=clerk,
    )
    assert (
        again.payment.payment_id == cash.payment.payment_id
    )  # the same receipt books nothing twice
    line = billing_pb2.ChargeLine(
        description="Opłata (po korekcie)",
        quantity="1",
        unit="szt.",
        unit_net_grosze=2_778,
        net_grosze=2_778,
        vat_rate="8",
        vat_grosze=222,
        gross_grosze=3_000,
    )
    corr = await api.IssueCorrection(
        billing_pb2.IssueCorrectionRequest(
            document_id=doc.id, reason="Błędna liczba osób", lines=[line]
        ),
        metadata=clerk,
    )
    assert corr.document.number.startswith("FK/O/") and corr.document.gross_grosze == -2_000
    assert corr.document.corrects_number == doc.number
    async with rt.db.sessions() as s:
        assert (await s.get(Payer, "P-2")).credit_grosze == 2_000
    with pytest.raises(grpc.aio.AioRpcError) as bad_iban:
        await api.RefundCredit(
            billing_pb2.RefundCreditRequest(
                payer_id="P-2", amount_grosze=2_000, bank_account="PL00 1234", reason="wniosek"
            ),
            metadata=clerk,
        )
    assert bad_iban.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    refund = await api.RefundCredit(
        billing_pb2.RefundCreditRequest(
            payer_id="P-2",
            amount_grosze=2_000,
            bank_account="61 1090 1014 0000 0712 1981 2874",
            reason="wniosek z 10.03",
        ),
        metadata=clerk,
    )
    assert refund.credit_left_grosze == 0
    with pytest.raises(grpc.aio.AioRpcError) as too_much:
        await api.RefundCredit(
            billing_pb2.RefundCreditRequest(
                payer_id="P-2",
                amount_grosze=1,
                bank_account="61109010140000071219812874",
                reason="x",
            ),
            metadata=clerk,
        )
    assert too_much.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    ledger = await api.GetLedger(billing_pb2.GetLedgerRequest(payer_id="P-2"), metadata=clerk)
    assert ledger.closing_balance_grosze == 0
    assert sorted(e.kind for e in ledger.entries) == ["charge", "correction", "payment", "refund"]


async def test_upload_is_visible_to_its_payer_only_and_must_be_a_pdf(office, issuer):
    _rt, api, clerk, resident, _ = office
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await api.UploadDocument(
            billing_pb2.UploadDocumentRequest(
                payer_id="P-1",
                title="Pismo",
                filename="x.pdf",
                content_type="application/pdf",
                content=b"not a pdf",
            ),
            metadata=clerk,
        )
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    up = await api.UploadDocument(
        billing_pb2.UploadDocumentRequest(
            payer_id="P-1",
            title="Decyzja w sprawie ulgi",
            filename="decyzja.pdf",
            content_type="application/pdf",
            content=b"%PDF-1.4\n%test\n",
        ),
        metadata=clerk,
    )
    docs = await api.ListDocuments(
        billing_pb2.ListDocumentsRequest(payer_id="P-1"), metadata=resident
    )
    assert up.document.document_id in {x.document_id for x in docs.documents}
    other = call_metadata(issuer.token("u2", roles=["resident"], payers=["P-2"]))
    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await api.GetDocumentFile(
            billing_pb2.GetDocumentFileRequest(document_id=up.document.document_id), metadata=other
        )
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as listing:
        await api.ListDocuments(billing_pb2.ListDocumentsRequest(payer_id="P-1"), metadata=other)
    assert listing.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_open_charges_for_services_by_module_and_due_window(office, issuer):
    _rt, api, _clerk, resident, _ = office
    service = call_metadata(issuer.token("notify", roles=["service"]))
    found = await api.ListOpenCharges(
        billing_pb2.ListOpenChargesRequest(
            module="waste", due_from=d(2026, 1, 1), due_to=d(2026, 12, 31)
        ),
        metadata=service,
    )
    assert [(c.payer_id, c.outstanding_grosze) for c in found.charges] == [("P-1", 126_000)]
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await api.ListOpenCharges(
            billing_pb2.ListOpenChargesRequest(module="waste"), metadata=resident
        )
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_import_statement_command(office, tmp_path, capsys):
    rt, *_ = office
    async with rt.db.sessions() as s:
        account = (await s.get(Payer, "P-2")).virtual_account
    f = tmp_path / "wyciag.csv"
    f.write_text(
        f"data;kwota;rachunek_wirtualny;tytul\n2026-03-01;50,00;{account};opłata\n2026-03-01;x;;zła\n"
    )
    assert await import_statement(rt, [str(f)]) == 3
    out = capsys.readouterr().out
    assert "dopasowanych 1" in out and "wiersz 3:" in out
    assert await import_statement(rt, [str(f)]) == 3
    assert "nowych 0" in capsys.readouterr().out
