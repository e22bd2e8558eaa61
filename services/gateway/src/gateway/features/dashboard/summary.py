"""What the dashboard shows, gathered concurrently from billing and every module (no rules)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import Request

from gateway.auth import CurrentUser
from gateway.clients import service_channel
from gateway.web.modules import Module
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal.common.v1 import common_pb2
from portal.module.v1 import module_pb2
from portal_platform.logging import get_logger
from portal_platform.rpc.client import call

log = get_logger(__name__)
IN_PROGRESS = ("started", "in_progress")
TIMEOUT_S = 5.0


@dataclass
class ModuleSummary:
    """One module's part of a payer's dashboard."""

    module: Module
    href: str
    balance: Any = None  # billing's ModuleBalance, None when nothing was charged
    cards: list[Any] = field(default_factory=list)
    deadlines: list[Any] = field(default_factory=list)
    available: bool = True


@dataclass
class PayerSummary:
    payer_id: str
    payer: Any = None
    balance: Any = None
    modules: list[ModuleSummary] = field(default_factory=list)
    upcoming: list[Any] = field(default_factory=list)
    documents: list[Any] = field(default_factory=list)
    in_progress: list[Any] = field(default_factory=list)
    ledger: list[Any] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # parts that could not be loaded


def pb_date(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


def as_date(d: Any) -> date | None:
    return date(d.year, d.month, d.day) if d is not None and d.year else None


async def _safe(part: str, missing: list[str], coro: Any) -> Any:
    """The call's result, or None (noted in `missing`) when the service cannot answer."""
    try:
        return await coro
    except Exception as exc:
        log.warning("dashboard part unavailable", part=part, error=repr(exc))
        missing.append(part)
        return None


async def payer_summary(
    request: Request,
    user: CurrentUser,
    payer_id: str,
    modules: list[Module],
    module_pages: dict[str, str],
    today: date,
) -> PayerSummary:
    """Everything for one payer (kartoteka); every call runs at the same time."""
    stub = billing_pb2_grpc.BillingServiceStub(service_channel(request, "billing"))
    registry = request.app.state.modules
    t, s = user.access_token, PayerSummary(payer_id)
    year_ago = date(today.year - 1, today.month, 1)

    def billing(method: Any, req: Any, part: str) -> Any:
        return _safe(part, s.missing, call(method, req, token=t, timeout=TIMEOUT_S))

    def summarise(m: Module) -> Any:
        req = module_pb2.SummarisePayerRequest(payer_id=payer_id)
        stub_m = registry.stub(m.address)
        return _safe(m.key, [], call(stub_m.SummarisePayer, req, token=t, timeout=TIMEOUT_S))

    results = await asyncio.gather(
        billing(stub.GetPayer, billing_pb2.GetPayerRequest(payer_id=payer_id), "payer"),
        billing(stub.GetBalance, billing_pb2.GetBalanceRequest(payer_id=payer_id), "balance"),
        billing(
            stub.ListOpenCharges,
            billing_pb2.ListOpenChargesRequest(payer_id=payer_id, limit=200),
            "charges",
        ),
        billing(
            stub.ListDocuments, billing_pb2.ListDocumentsRequest(payer_id=payer_id), "documents"
        ),
        billing(stub.ListPayments, billing_pb2.ListPaymentsRequest(payer_id=payer_id), "payments"),
        billing(
            stub.GetLedger,
            billing_pb2.GetLedgerRequest(
                payer_id=payer_id, date_from=pb_date(year_ago), date_to=pb_date(today)
            ),
            "ledger",
        ),
        *(summarise(m) for m in modules),
    )
    payer, balance, charges, documents, payments, ledger = results[:6]
    s.payer = payer.payer if payer else None
    s.balance = balance
    by_module = {b.module: b for b in balance.modules} if balance else {}
    for m, summary in zip(modules, results[6:], strict=True):
        s.modules.append(
            ModuleSummary(
                module=m,
                href=module_pages.get(m.key, f"/modul/{m.key}"),
                balance=by_module.get(m.key),
                cards=list(summary.cards) if summary else [],
                deadlines=list(summary.deadlines) if summary else [],
                available=summary is not None,
            )
        )
    if charges:
        open_ = [c for c in charges.charges if c.status != "paid" and c.outstanding_grosze > 0]
        s.upcoming = sorted(open_, key=lambda c: (as_date(c.due_date) or date.max, c.title))[:5]
    if documents:
        s.documents = sorted(
            documents.documents, key=lambda d: as_date(d.issued_on) or date.min, reverse=True
        )[:5]
    if payments:
        s.in_progress = [p for p in payments.payments if p.status in IN_PROGRESS]
    if ledger:
        s.ledger = list(ledger.entries)
    return s


async def summaries(
    request: Request, user: CurrentUser, module_pages: dict[str, str], today: date
) -> list[PayerSummary]:
    modules = await request.app.state.modules.ensure(user.access_token)
    return list(
        await asyncio.gather(
            *(payer_summary(request, user, p, modules, module_pages, today) for p in user.payers)
        )
    )
