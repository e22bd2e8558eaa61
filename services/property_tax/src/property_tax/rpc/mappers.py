"""Conversions between the property-tax domain and its protobuf messages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from portal.common.v1 import common_pb2
from portal.property_tax.v1 import property_tax_pb2 as pb
from portal_platform.errors import InvalidArgument
from property_tax.assessment.models import Assessment
from property_tax.assessment.service import Draft
from property_tax.filings.models import Filing, TaxObject
from property_tax.filings.rules import fraction_text
from property_tax.filings.schemas import CoOwnerIn, ObjectIn
from property_tax.rates.catalog import CATEGORIES
from property_tax.rates.service import YearRates
from property_tax.taxpayers.models import Taxpayer
from property_tax.taxpayers.service import TaxpayerIn


def pb_date(d: date | None) -> common_pb2.Date | None:
    return None if d is None else common_pb2.Date(year=d.year, month=d.month, day=d.day)


def from_pb_date(d: common_pb2.Date, field: str) -> date | None:
    if not d.year:
        return None
    try:
        return date(d.year, d.month, d.day)
    except ValueError:
        raise InvalidArgument("Nieprawidłowa data.", field=field) from None


def _pct(v: Decimal) -> str:
    return format(Decimal(v).normalize(), "f") if v else ""


def _num(v: Decimal) -> str:
    return format(Decimal(v).normalize(), "f") if v else ""


def taxpayer_pb(t: Taxpayer) -> pb.Taxpayer:
    return pb.Taxpayer(payer_id=t.payer_id, kind=t.kind, name=t.name, address=t.address,
                       identifier=t.identifier)  # fmt: skip


def taxpayer_in(t: pb.Taxpayer) -> TaxpayerIn:
    return TaxpayerIn(t.payer_id, t.kind, t.name, t.address, t.identifier)


def rates_pb(y: YearRates) -> pb.ListRatesResponse:
    out = []
    for key, cat in CATEGORIES.items():
        r, m = y.rates.get(key), y.maxima.get(key)
        out.append(
            pb.Rate(
                year=y.year, category=key, label=cat.label, unit=cat.unit,
                rate_grosze=r.rate_grosze if r else 0, rate_percent=_pct(r.rate_percent) if r else "",
                resolution=r.resolution if r else "",
                max_grosze=m.max_grosze if m else 0, max_percent=_pct(m.max_percent) if m else "",
            )
        )  # fmt: skip
    return pb.ListRatesResponse(rates=out, maxima_known=bool(y.maxima))


def object_in(o: pb.TaxObject) -> ObjectIn:
    return ObjectIn(
        category=o.category, location=o.location, area=o.area, area_reduced=o.area_reduced,
        value=o.value, share=o.share,
        co_owners=tuple(CoOwnerIn(c.name, c.share) for c in o.co_owners),
    )  # fmt: skip


def object_pb(o: TaxObject) -> pb.TaxObject:
    return pb.TaxObject(
        object_id=o.id, category=o.category, location=o.location, area=_num(o.area),
        area_reduced=_num(o.area_reduced),
        value=f"{o.value_grosze // 100}.{o.value_grosze % 100:02d}" if o.value_grosze else "",
        share=fraction_text(o.share),
        co_owners=[pb.CoOwner(name=c.name, share=fraction_text(Fraction(c.share_num, c.share_den)))
                   for c in o.co_owners],
    )  # fmt: skip


def filing_pb(f: Filing) -> pb.Filing:
    return pb.Filing(
        filing_id=f.id, payer_id=f.payer_id, form=f.form, status=f.status,
        event_date=pb_date(f.event_date), filed_on=pb_date(f.filed_on), year=f.year,
        declared_tax_grosze=f.declared_tax_grosze or 0,
        objects=[object_pb(o) for o in f.objects], reason=f.reason, filed_by=f.filed_by,
        effective_from=pb_date(f.effective_from),
    )  # fmt: skip


def _snapshot_pb(o: dict[str, Any]) -> pb.TaxObject:
    value = o["value_grosze"]
    return pb.TaxObject(
        category=o["category"], location=o["location"], area=o["area"],
        area_reduced=o["area_reduced"], value=f"{value // 100}.{value % 100:02d}" if value else "",
        share=o["share"], co_owners=[pb.CoOwner(name=n, share=s) for n, s in o["co_owners"]],
        tax=o["tax"],
    )  # fmt: skip


def assessment_pb(a: Assessment) -> pb.Assessment:
    return pb.Assessment(
        assessment_id=a.id, payer_id=a.payer_id, year=a.year, basis=a.basis, number=a.number,
        version=a.version, from_month=a.from_month, issued_on=pb_date(a.issued_on),
        tax_grosze=a.tax_grosze, previous_tax_grosze=a.previous_tax_grosze,
        installments=[
            pb.Installment(number=i.number, due_date=pb_date(i.due_date), amount_grosze=i.amount_grosze,
                           charged_grosze=i.charged_grosze, label=i.label)
            for i in a.installments
        ],
        objects=[_snapshot_pb(o) for o in a.objects], at_once=a.at_once,
        reduction_grosze=a.reduction_grosze, issued=True,
    )  # fmt: skip


def preview_pb(d: Draft) -> pb.Assessment:
    p = d.plan
    prev = d.previous
    return pb.Assessment(
        payer_id=d.taxpayer.payer_id, year=d.year, basis=d.basis,
        version=(prev.version + 1) if prev else 1, from_month=p.from_month,
        issued_on=pb_date(d.issued_on), tax_grosze=p.tax_grosze,
        previous_tax_grosze=prev.tax_grosze if prev else 0,
        installments=[
            pb.Installment(number=x.number, due_date=pb_date(p.due[x.number]),
                           amount_grosze=p.amounts.get(x.number, 0),
                           charged_grosze=max(p.deltas.get(x.number, 0), 0), label=x.label)
            for x in d.periods if p.amounts.get(x.number) or p.deltas.get(x.number)
        ],
        objects=[_snapshot_pb(o) for o in d.objects], at_once=p.at_once,
        reduction_grosze=p.reduction, issued=False,
    )  # fmt: skip
