"""gRPC clients: channels, bearer-token metadata, status → domain error."""

from __future__ import annotations

from typing import Any

import grpc
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from portal_platform import errors
from portal_platform.logging import request_id_var

_STATUS_TO_ERROR: dict[grpc.StatusCode, type[errors.DomainError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: errors.InvalidArgument,
    grpc.StatusCode.NOT_FOUND: errors.NotFound,
    grpc.StatusCode.PERMISSION_DENIED: errors.PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: errors.Unauthenticated,
    grpc.StatusCode.ALREADY_EXISTS: errors.Conflict,
    grpc.StatusCode.FAILED_PRECONDITION: errors.DomainError,
}


def channel(address: str) -> aio.Channel:
    return aio.insecure_channel(
        address, options=[("grpc.max_receive_message_length", 16 * 1024 * 1024)]
    )


def call_metadata(token: str | None) -> list[tuple[str, str]]:
    md = [("x-request-id", request_id_var.get() or "")]
    if token:
        md.append(("authorization", f"Bearer {token}"))
    return [(k, v) for k, v in md if v]


def to_domain_error(exc: aio.AioRpcError) -> errors.DomainError | None:
    """Turn a status from another service back into the typed domain error, if it is one."""
    cls = _STATUS_TO_ERROR.get(exc.code())
    if cls is None:
        return None
    trailing = {k: v for k, v in (exc.trailing_metadata() or ()) if isinstance(v, str)}
    return cls(
        exc.details() or "",
        code=trailing.get("portal-error-code") or None,
        field=trailing.get("portal-error-field", ""),
    )


async def call(method: Any, request: Any, *, token: str | None, timeout: float = 10.0) -> Any:
    """Call a stub method with the caller's token; domain statuses come back as DomainError."""
    try:
        return await method(request, metadata=call_metadata(token), timeout=timeout)
    except aio.AioRpcError as exc:
        err = to_domain_error(exc)
        if err is not None:
            raise err from None
        raise


async def check_health(address: str, *, timeout: float = 1.0) -> str:
    """Ask a service's gRPC health service; return SERVING / NOT_SERVING / UNREACHABLE."""
    try:
        async with channel(address) as ch:
            stub = health_pb2_grpc.HealthStub(ch)
            resp = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
            return str(health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status))
    except aio.AioRpcError:
        return "UNREACHABLE"
