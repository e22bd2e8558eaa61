"""gRPC calls of the Woda section (water and billing) with the resident's token."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from gateway.auth import CurrentUser
from gateway.clients import service_channel
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal.water.v1 import water_pb2_grpc
from portal_platform.rpc.client import call


async def water(request: Request, user: CurrentUser, method: str, message: Any) -> Any:
    """Call WaterService.<method> as the logged-in resident."""
    stub = water_pb2_grpc.WaterServiceStub(service_channel(request, "water"))
    return await call(getattr(stub, method), message, token=user.access_token)


async def booked_keys(request: Request, user: CurrentUser, payer_id: str) -> set[str] | None:
    """Idempotency keys of water charges billing has booked (None: billing unavailable)."""
    try:
        stub = billing_pb2_grpc.BillingServiceStub(service_channel(request, "billing"))
        resp = await call(
            stub.ListCharges,
            billing_pb2.ListChargesRequest(payer_id=payer_id, module="water"),
            token=user.access_token,
            timeout=5,
        )
    except Exception:  # billing down or not configured: the list still shows water's side
        return None
    return {c.idempotency_key for c in resp.charges}
