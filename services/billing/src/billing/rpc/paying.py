"""BillingService: online payments and the payment history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from billing.payments import service as payments
from billing.payments.models import Payment
from billing.payments.providers import public_url
from billing.payments.providers.base import Registration
from billing.rpc import mappers as m
from billing.rpc.support import Support
from portal.billing.v1 import billing_pb2
from portal_platform.errors import DomainError


class PayingMixin:
    s: Support

    async def StartOnlinePayment(
        self, request: billing_pb2.StartOnlinePaymentRequest, context: Any
    ) -> billing_pb2.StartOnlinePaymentResponse:
        self.s.payer(request.payer_id)
        charge_ids = [] if request.all_due else list(dict.fromkeys(request.charge_ids))
        provider = self.s.provider
        async with self.s.db.transaction() as session:
            p = await payments.start_online(
                session,
                self.s.ctx,
                payer_id=request.payer_id,
                charge_ids=charge_ids,
                provider=provider.name,
                return_url=request.return_url,
            )
        reg = Registration(
            p.id,
            p.amount_grosze,
            p.title,
            request.email,
            request.return_url,
            f"{public_url(self.s.settings)}/notify/{provider.name}",
        )
        try:
            url = await provider.register(reg)
        except Exception:
            async with self.s.db.transaction() as session:
                await session.execute(
                    update(Payment).where(Payment.id == p.id).values(status="failed")
                )
            raise DomainError(
                "Operator płatności jest niedostępny. Spróbuj później lub zapłać przelewem.",
                code="payment.provider_unavailable",
            ) from None
        async with self.s.db.transaction() as session:
            await session.execute(
                update(Payment).where(Payment.id == p.id).values(redirect_url=url[:500])
            )
            p = await payments.get(session, p.id)
        return billing_pb2.StartOnlinePaymentResponse(payment=m.payment_pb(p), redirect_url=url)

    async def ListPayments(
        self, request: billing_pb2.ListPaymentsRequest, context: Any
    ) -> billing_pb2.ListPaymentsResponse:
        self.s.payer(request.payer_id)
        async with self.s.db.sessions() as session:
            found = await payments.list_for_payer(session, request.payer_id)
        return billing_pb2.ListPaymentsResponse(payments=[m.payment_pb(p) for p in found])
