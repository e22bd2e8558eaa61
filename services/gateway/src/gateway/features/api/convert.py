"""Protobuf messages of the services → the API's JSON shapes (no rules, only copying)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from gateway.features.api import schemas as s
from gateway.features.billing import einvoice
from gateway.web.dates import to_date as day

DOCUMENT_KINDS = {
    1: "invoice",
    2: "notice",
    3: "decision",
    4: "installment",
    5: "reminder",
    6: "correction",
    7: "letter",
}


def ts(t: Any) -> str:
    return t.ToDatetime(tzinfo=UTC).isoformat() if t.seconds else ""


def module_balance(b: Any) -> s.ModuleBalanceOut:
    return s.ModuleBalanceOut(
        module=b.module,
        charged_grosze=b.charged_grosze,
        paid_grosze=b.paid_grosze,
        outstanding_grosze=b.outstanding_grosze,
        overdue_grosze=b.overdue_grosze,
        interest_grosze=b.interest_grosze,
        reminder_costs_grosze=b.reminder_costs_grosze,
        to_pay_grosze=b.to_pay_grosze,
        in_progress_grosze=b.in_progress_grosze,
        next_due_date=day(b.next_due_date),
    )


def charge(c: Any) -> s.ChargeOut:
    return s.ChargeOut(
        charge_id=c.charge_id,
        module=c.module,
        title=c.title,
        document_number=c.document_number,
        document_id=c.document_id,
        due_date=day(c.due_date),
        amount_grosze=c.amount_grosze,
        outstanding_grosze=c.outstanding_grosze,
        interest_grosze=c.interest_grosze,
        status=c.status,
        kind=c.kind,
    )


def document(d: Any) -> s.DocumentOut:
    return s.DocumentOut(
        document_id=d.document_id,
        module=d.module,
        kind=DOCUMENT_KINDS.get(d.kind, "document"),
        number=d.number,
        title=d.title,
        gross_grosze=d.gross_grosze,
        issued_on=day(d.issued_on),
        due_date=day(d.due_date),
        corrects_number=d.corrects_number,
        reason=d.reason,
        download_url=f"/api/v1/documents/{d.document_id}/file",
        ksef_number=d.ksef_number,
        structured_invoice_url=f"/api/v1/documents/{d.document_id}/structured-invoice"
        if einvoice.offered(d)
        else None,
    )


def payment(p: Any) -> s.PaymentOut:
    return s.PaymentOut(
        payment_id=p.payment_id,
        amount_grosze=p.amount_grosze,
        channel=p.channel,
        status=p.status,
        provider=p.provider,
        title=p.title,
        paid_on=day(p.paid_on),
        charge_ids=list(p.charge_ids),
        created_at=p.created_at,
    )


def premises(p: Any) -> s.PremisesOut:
    return s.PremisesOut(
        premises_id=p.premises_id,
        number=p.number,
        address=p.address,
        group=p.group,
        meters=[
            s.MeterOut(
                meter_id=m.meter_id,
                kind=m.kind,
                serial=m.serial,
                active=m.active,
                last_value_m3=m.last_value_m3,
                last_value_date=day(m.last_value_date),
            )
            for m in p.meters
        ],
    )


def preview(p: Any) -> s.InvoicePreviewOut | None:
    if not p.lines:
        return None
    return s.InvoicePreviewOut(
        period_from=day(p.period_from),
        period_to=day(p.period_to),
        lines=[
            s.InvoiceLineOut(
                description=x.description,
                quantity=x.quantity,
                unit=x.unit,
                unit_net_grosze=x.unit_net_grosze,
                net_grosze=x.net_grosze,
                vat_rate=x.vat_rate,
                vat_grosze=x.vat_grosze,
                gross_grosze=x.gross_grosze,
            )
            for x in p.lines
        ],
        net_grosze=p.net_grosze,
        vat_grosze=p.vat_grosze,
        gross_grosze=p.gross_grosze,
        water_m3=p.water_m3,
        sewage_m3=p.sewage_m3,
    )


def reading(r: Any) -> s.ReadingOut:
    return s.ReadingOut(
        reading_id=r.reading_id,
        premises_id=r.premises_id,
        reading_date=day(r.reading_date),
        source=r.source,
        status=r.status,
        status_label=r.status_label,
        reason=r.reason,
        values=[
            s.ReadingValueOut(
                meter_id=v.meter_id,
                meter_serial=v.meter_serial,
                value_m3=v.value_m3,
                submitted_m3=v.submitted_m3,
                previous_m3=v.previous_m3,
                consumption_m3=v.consumption_m3,
            )
            for v in r.values
        ],
        preview=preview(r.preview),
    )


def warnings(ws: Any) -> list[s.WarningOut]:
    return [s.WarningOut(code=w.code, message=w.message, field=w.field) for w in ws]


def case(c: Any) -> s.CaseOut:
    return s.CaseOut(
        case_id=c.case_id,
        number=c.number,
        topic=c.topic,
        subject=c.subject,
        status=c.status,
        status_label=c.status_label,
        created_at=ts(c.created_at),
        updated_at=ts(c.updated_at),
        message_count=c.message_count,
        messages=[
            s.MessageOut(
                author_kind=m.author_kind,
                author_name=m.author_name,
                body=m.body,
                created_at=ts(m.created_at),
            )
            for m in c.messages
        ],
    )
