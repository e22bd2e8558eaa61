"""BillingService: payers, balances, the ledger statement and open charges."""

from __future__ import annotations

from typing import Any

from billing.context import today
from billing.ledger import queries
from billing.payers import service as payers
from billing.rpc import mappers as m
from billing.rpc.support import Support
from portal.billing.v1 import billing_pb2
from portal_platform.auth import principal
from portal_platform.errors import InvalidArgument


class LedgerMixin:
    s: Support

    async def GetPayer(
        self, request: billing_pb2.GetPayerRequest, context: Any
    ) -> billing_pb2.GetPayerResponse:
        self.s.payer(request.payer_id)
        async with self.s.db.sessions() as session:
            return billing_pb2.GetPayerResponse(
                payer=m.payer_pb(await payers.get(session, request.payer_id))
            )

    async def UpsertPayer(
        self, request: billing_pb2.UpsertPayerRequest, context: Any
    ) -> billing_pb2.UpsertPayerResponse:
        self.s.staff()
        d = request.details
        async with self.s.db.transaction() as session:
            payer = await payers.upsert(
                session,
                self.s.ctx.scheme,
                request.payer_id,
                payers.Details(d.name, d.address, d.nip),
            )
            return billing_pb2.UpsertPayerResponse(payer=m.payer_pb(payer))

    async def SearchPayers(
        self, request: billing_pb2.SearchPayersRequest, context: Any
    ) -> billing_pb2.SearchPayersResponse:
        self.s.staff()
        async with self.s.db.sessions() as session:
            found = await payers.search(session, request.query, request.limit)
            return billing_pb2.SearchPayersResponse(payers=[m.payer_pb(p) for p in found])

    async def GetGminaInfo(
        self, request: billing_pb2.GetGminaInfoRequest, context: Any
    ) -> billing_pb2.GetGminaInfoResponse:
        principal()
        g = self.s.ctx.gmina
        return billing_pb2.GetGminaInfoResponse(
            name=g.name,
            address=g.address,
            phone=g.phone,
            email=g.email,
            office_hours=g.hours,
            bank_name=g.bank,
            account=g.account,
            nip=g.nip,
        )

    async def GetBalance(
        self, request: billing_pb2.GetBalanceRequest, context: Any
    ) -> billing_pb2.GetBalanceResponse:
        self.s.payer(request.payer_id)
        as_of = m.from_pb_date(request.as_of, today()) or today()
        async with self.s.db.sessions() as session:
            payer = await payers.get(session, request.payer_id)
            modules, total = await queries.balances(session, self.s.ctx, request.payer_id, as_of)
        return billing_pb2.GetBalanceResponse(
            modules=[m.balance_pb(b) for b in modules],
            total=m.balance_pb(total),
            credit_grosze=payer.credit_grosze,
        )

    async def GetLedger(
        self, request: billing_pb2.GetLedgerRequest, context: Any
    ) -> billing_pb2.GetLedgerResponse:
        self.s.payer(request.payer_id)
        date_from, date_to = m.from_pb_date(request.date_from), m.from_pb_date(request.date_to)
        if date_from and date_to and date_from > date_to:
            raise InvalidArgument("Data początkowa jest późniejsza niż końcowa.", field="date_from")
        async with self.s.db.sessions() as session:
            await payers.get(session, request.payer_id)
            opening, entries, closing = await queries.statement(
                session,
                request.payer_id,
                request.module,
                date_from,
                date_to,
                ctx=self.s.ctx,
                today=today(),
            )
        return billing_pb2.GetLedgerResponse(
            entries=[m.entry_pb(e) for e in entries],
            opening_balance_grosze=opening,
            closing_balance_grosze=closing,
        )

    async def ListOpenCharges(
        self, request: billing_pb2.ListOpenChargesRequest, context: Any
    ) -> billing_pb2.ListOpenChargesResponse:
        if request.payer_id:
            self.s.payer(request.payer_id)
        else:
            self.s.staff()
        as_of = m.from_pb_date(request.as_of, today()) or today()
        try:
            after = int(request.page_token or 0)
        except ValueError:
            raise InvalidArgument("Nieprawidłowy znacznik strony.", field="page_token") from None
        f = queries.OpenFilter(
            module=request.module,
            payer_id=request.payer_id,
            due_from=m.from_pb_date(request.due_from),
            due_to=m.from_pb_date(request.due_to),
            include_paid=request.include_paid,
            limit=request.limit or 1000,
            after_id=after,
            as_of=as_of,
        )
        async with self.s.db.sessions() as session:
            rows = await queries.open_items(session, self.s.ctx, f)
        token = str(rows[-1].receivable.id) if len(rows) >= (request.limit or 1000) else ""
        return billing_pb2.ListOpenChargesResponse(
            charges=[m.open_pb(r, as_of) for r in rows], next_page_token=token
        )
