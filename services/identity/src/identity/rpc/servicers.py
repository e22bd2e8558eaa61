"""IdentityService: residents read only themselves; staff and services read all; clerks act."""

from __future__ import annotations

import json
from typing import Any

from identity.accounts import office
from identity.accounts import service as accounts
from identity.accounts.context import Context
from identity.accounts.models import Account
from identity.audit import service as audit
from identity.rpc import mappers
from portal.identity.v1 import identity_pb2, identity_pb2_grpc
from portal_platform.auth import Principal, principal
from portal_platform.errors import NotFound
from portal_platform.service import Runtime

STAFF = ("clerk", "admin")


def _self_or_staff(p: Principal, account_id: str) -> None:
    """A resident asking about someone else gets NotFound (existence is not revealed)."""
    if not p.is_staff and p.subject != account_id:
        raise NotFound("Nie ma takiego konta.", field="account_id")


def _actor(p: Principal, client_address: str) -> office.Actor:
    return office.Actor(p.subject, str(p.claims.get("name") or p.subject), client_address)


class IdentityServicer(identity_pb2_grpc.IdentityServiceServicer):  # type: ignore[misc]
    def __init__(self, rt: Runtime, ctx: Context) -> None:
        self.rt = rt
        self.ctx = ctx

    @property
    def db(self) -> Any:
        assert self.rt.db is not None
        return self.rt.db

    async def _account(self, session: Any, account_id: str) -> Account:
        a = await accounts.get(session, account_id)
        if a is None:
            raise NotFound("Nie ma takiego konta.", field="account_id")
        return a

    async def GetAccount(self, request: Any, context: Any) -> identity_pb2.GetAccountResponse:
        p = principal()
        _self_or_staff(p, request.account_id)
        async with self.db.sessions() as session:
            a = await self._account(session, request.account_id)
            payers = await accounts.payers_of(session, a.id)
        return identity_pb2.GetAccountResponse(account=mappers.account(a, payers))

    async def ListPayersOfAccount(
        self, request: Any, context: Any
    ) -> identity_pb2.ListPayersOfAccountResponse:
        p = principal()
        _self_or_staff(p, request.account_id)
        async with self.db.sessions() as session:
            a = await self._account(session, request.account_id)
            payers = (
                await accounts.payers_of(session, a.id)
                if a.state == "verified" or p.is_staff
                else []
            )
        return identity_pb2.ListPayersOfAccountResponse(payer_ids=payers)

    async def ListAccountsOfPayer(
        self, request: Any, context: Any
    ) -> identity_pb2.ListAccountsOfPayerResponse:
        principal().require_role(*STAFF, "service")
        async with self.db.sessions() as session:
            found = await accounts.accounts_of_payer(session, request.payer_id.strip().upper())
            items = [mappers.account(a, await accounts.payers_of(session, a.id)) for a in found]
        return identity_pb2.ListAccountsOfPayerResponse(accounts=items)

    async def ExportAccountData(
        self, request: Any, context: Any
    ) -> identity_pb2.ExportAccountDataResponse:
        p = principal()
        _self_or_staff(p, request.account_id)
        async with self.db.sessions() as session:
            data = await accounts.export(session, await self._account(session, request.account_id))
        return identity_pb2.ExportAccountDataResponse(
            json=json.dumps(data, ensure_ascii=False, indent=2)
        )

    async def ListAccounts(self, request: Any, context: Any) -> identity_pb2.ListAccountsResponse:
        principal().require_role(*STAFF)
        async with self.db.sessions() as session:
            found = await accounts.list_accounts(
                session, state=request.state, query=request.query, limit=request.limit or 100
            )
            items = [mappers.details(a, await accounts.payers_of(session, a.id)) for a in found]
        return identity_pb2.ListAccountsResponse(accounts=items)

    async def _details(self, session: Any, account_id: str) -> identity_pb2.AccountDetails:
        a = await self._account(session, account_id)
        return mappers.details(a, await accounts.payers_of(session, a.id))

    async def GetAccountDetails(
        self, request: Any, context: Any
    ) -> identity_pb2.GetAccountDetailsResponse:
        principal().require_role(*STAFF)
        async with self.db.sessions() as session:
            return identity_pb2.GetAccountDetailsResponse(
                details=await self._details(session, request.account_id)
            )

    async def _act(self, request: Any, action: Any) -> identity_pb2.AccountDetails:
        p = principal()
        p.require_role(*STAFF)
        actor = _actor(p, request.client_address)
        async with self.db.transaction() as session:
            await action(session, actor)
            await session.flush()
            return await self._details(session, request.account_id)

    async def VerifyAccount(self, request: Any, context: Any) -> identity_pb2.VerifyAccountResponse:
        d = await self._act(
            request,
            lambda s, a: office.verify(s, self.ctx, a, request.account_id, request.document_type),
        )
        return identity_pb2.VerifyAccountResponse(details=d)

    async def LinkPayer(self, request: Any, context: Any) -> identity_pb2.LinkPayerResponse:
        d = await self._act(
            request,
            lambda s, a: office.link_payer(s, self.ctx, a, request.account_id, request.payer_id),
        )
        return identity_pb2.LinkPayerResponse(details=d)

    async def UnlinkPayer(self, request: Any, context: Any) -> identity_pb2.UnlinkPayerResponse:
        d = await self._act(
            request,
            lambda s, a: office.unlink_payer(s, self.ctx, a, request.account_id, request.payer_id),
        )
        return identity_pb2.UnlinkPayerResponse(details=d)

    async def SuspendAccount(
        self, request: Any, context: Any
    ) -> identity_pb2.SuspendAccountResponse:
        d = await self._act(
            request, lambda s, a: office.suspend(s, self.ctx, a, request.account_id, request.reason)
        )
        return identity_pb2.SuspendAccountResponse(details=d)

    async def ReinstateAccount(
        self, request: Any, context: Any
    ) -> identity_pb2.ReinstateAccountResponse:
        d = await self._act(
            request, lambda s, a: office.reinstate(s, self.ctx, a, request.account_id)
        )
        return identity_pb2.ReinstateAccountResponse(details=d)

    async def ListAuditEntries(
        self, request: Any, context: Any
    ) -> identity_pb2.ListAuditEntriesResponse:
        principal().require_role(*STAFF)
        async with self.db.sessions() as session:
            entries = await audit.list_entries(
                session, account_id=request.account_id, limit=request.limit or 200
            )
        return identity_pb2.ListAuditEntriesResponse(
            entries=[mappers.audit_entry(e) for e in entries]
        )
