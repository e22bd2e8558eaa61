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
from portal_platform.logging import get_logger
from portal_platform.rpc.client import call

log = get_logger(__name__)
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
    balance: Any = None
    modules: list[ModuleSummary] = field(default_factory=list)
    charges: list[Any] = field(default_factory=list)  # every installment, paid ones too
    upcoming: list[Any] = field(default_factory=list)
    documents: list[Any] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # parts that could not be loaded


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
    """Everything for one payer (kartoteka); every call runs at the same time.

    Three billing calls and one per module: the balance (with payments in progress), the
    installments (upcoming ones and the chart) and the documents.
    """
    stub = billing_pb2_grpc.BillingServiceStub(service_channel(request, "billing"))
    registry = request.app.state.modules
    t, s = user.access_token, PayerSummary(payer_id)

    def billing(method: Any, req: Any, part: str) -> Any:
        return _safe(part, s.missing, call(method, req, token=t, timeout=TIMEOUT_S))

    def summarise(m: Module) -> Any:
        return _safe(m.key, [], registry.summary(m, payer_id, t, TIMEOUT_S))

    results = await asyncio.gather(
        billing(stub.GetBalance, billing_pb2.GetBalanceRequest(payer_id=payer_id), "balance"),
        billing(
            stub.ListOpenCharges,
            billing_pb2.ListOpenChargesRequest(payer_id=payer_id, include_paid=True),
            "charges",
        ),
        billing(
            stub.ListDocuments, billing_pb2.ListDocumentsRequest(payer_id=payer_id), "documents"
        ),
        *(summarise(m) for m in modules),
    )
    balance, charges, documents = results[:3]
    s.balance = balance
    by_module = {b.module: b for b in balance.modules} if balance else {}
    for m, summary in zip(modules, results[3:], strict=True):
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
        s.charges = list(charges.charges)
        open_ = [c for c in s.charges if c.status != "paid" and c.outstanding_grosze > 0]
        s.upcoming = sorted(open_, key=lambda c: (as_date(c.due_date) or date.max, c.title))[:5]
    if documents:
        s.documents = sorted(
            documents.documents, key=lambda d: as_date(d.issued_on) or date.min, reverse=True
        )[:5]
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
