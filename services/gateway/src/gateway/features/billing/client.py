"""gRPC calls of the billing feature: billing itself and the modules' section headings."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from gateway.clients import service_channel
from gateway.web.i18n import language
from portal.billing.v1 import billing_pb2_grpc
from portal_platform.config import parse_address_map


def billing(request: Request) -> Any:
    return billing_pb2_grpc.BillingServiceStub(service_channel(request, "billing"))


async def modules(request: Request, token: str) -> dict[str, tuple[str, int, str]]:
    """key → (section heading, order, "pl" when the heading stays Polish) of every module."""
    found = await request.app.state.modules.ensure(token)
    lang = language()
    return {
        m.key: (m.section(lang), m.order, "pl" if m.in_polish(m.section(lang), lang) else "")
        for m in found
    }


def billing_http(request: Request) -> str:
    """Billing's HTTP base (for providers' notifications), from *_HTTP_SERVICES."""
    url = parse_address_map(request.app.state.settings.http_services).get("billing", "")
    return url.removesuffix("/healthz").rstrip("/")
