"""BillingService over gRPC: convert, authorise, call the service layer."""

from __future__ import annotations

from typing import Any

from billing.charges import service
from billing.charges.models import Charge
from billing.rpc.documents import DocumentsMixin
from billing.rpc.ledger import LedgerMixin
from billing.rpc.office import OfficeMixin
from billing.rpc.paying import PayingMixin
from billing.rpc.support import Support
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal.common.v1 import common_pb2
from portal_platform.auth import principal

KIND_VALUES = {
    "invoice": billing_pb2.DOCUMENT_KIND_INVOICE,
    "fee_notice": billing_pb2.DOCUMENT_KIND_FEE_NOTICE,
    "decision": billing_pb2.DOCUMENT_KIND_DECISION,
    "installment": billing_pb2.DOCUMENT_KIND_INSTALLMENT,
}


def _date(value: Any) -> common_pb2.Date | None:
    if value is None:
        return None
    return common_pb2.Date(year=value.year, month=value.month, day=value.day)


def charge_to_pb(c: Charge) -> billing_pb2.Charge:
    due = []
    for iso in c.due_dates:
        y, m, d = (int(x) for x in iso.split("-"))
        due.append(common_pb2.Date(year=y, month=m, day=d))
    return billing_pb2.Charge(
        charge_id=c.id,
        payer_id=c.payer_id,
        module=c.module,
        idempotency_key=c.idempotency_key,
        document_kind=KIND_VALUES.get(c.document_kind, 0),
        title=c.title,
        gross_grosze=c.gross_grosze,
        due_dates=due,
        lines=[
            billing_pb2.ChargeLine(
                description=line.description,
                quantity=format(line.quantity.normalize(), "f"),
                unit=line.unit,
                unit_net_grosze=line.unit_net_grosze,
                net_grosze=line.net_grosze,
                vat_rate=line.vat_rate,
                vat_grosze=line.vat_grosze,
                gross_grosze=line.gross_grosze,
                period_from=_date(line.period_from),
                period_to=_date(line.period_to),
            )
            for line in c.lines
        ],
    )


class BillingServicer(
    LedgerMixin,
    DocumentsMixin,
    PayingMixin,
    OfficeMixin,
    billing_pb2_grpc.BillingServiceServicer,  # type: ignore[misc]
):
    """Every method authorises first: residents their own payers, staff and services all."""

    def __init__(self, support: Support) -> None:
        self.s = support
        self.db = support.db

    async def ListCharges(
        self, request: billing_pb2.ListChargesRequest, context: Any
    ) -> billing_pb2.ListChargesResponse:
        principal().require_payer(request.payer_id)
        async with self.db.sessions() as session:
            charges = await service.list_charges(
                session, payer_id=request.payer_id, module=request.module
            )
        return billing_pb2.ListChargesResponse(charges=[charge_to_pb(c) for c in charges])
