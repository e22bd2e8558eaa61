"""gRPC calls of the billing feature: billing itself and the modules' descriptions."""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request

from gateway.clients import service_channel
from portal.billing.v1 import billing_pb2_grpc
from portal.module.v1 import module_pb2, module_pb2_grpc
from portal_platform.config import parse_address_map
from portal_platform.logging import get_logger
from portal_platform.rpc.client import call, channel

log = get_logger(__name__)
MODULES_TTL_S = 300.0


def billing(request: Request) -> Any:
    return billing_pb2_grpc.BillingServiceStub(service_channel(request, "billing"))


async def modules(request: Request, token: str) -> dict[str, tuple[str, int]]:
    """key → (section heading, order) from DescribeModule of every PORTAL_MODULES address."""
    state = request.app.state.__dict__
    cached = state.get("_billing_modules")
    if cached and cached[0] > time.monotonic():
        return dict(cached[1])
    found: dict[str, tuple[str, int]] = {}
    channels = state.setdefault("_billing_module_channels", {})
    for name, address in parse_address_map(request.app.state.settings.modules).items():
        if address not in channels:
            channels[address] = channel(address)
        stub = module_pb2_grpc.ModuleServiceStub(channels[address])
        try:
            d = await call(
                stub.DescribeModule, module_pb2.DescribeModuleRequest(), token=token, timeout=3
            )
            found[d.key or name] = (d.section_pl or d.label_pl or name, d.order)
        except Exception:
            log.warning("module did not describe itself", module=name, address=address)
            found[name] = (name.replace("_", " ").capitalize(), 999)
    state["_billing_modules"] = (time.monotonic() + MODULES_TTL_S, found)
    return found


def billing_http(request: Request) -> str:
    """Billing's HTTP base (for providers' notifications), from *_HTTP_SERVICES."""
    url = parse_address_map(request.app.state.settings.http_services).get("billing", "")
    return url.removesuffix("/healthz").rstrip("/")
