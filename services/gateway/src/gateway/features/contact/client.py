"""The notify stub, the token to call it with (the user's, or the gateway's for visitors)."""

from __future__ import annotations

from typing import Any

import grpc
from fastapi import Request

from gateway.auth import current_user
from gateway.clients import service_channel
from portal.notify.v1 import notify_pb2_grpc
from portal_platform.errors import DomainError
from portal_platform.service_tokens import (
    ClientCredentialsTokens,
    ServiceTokens,
    StaticServiceTokens,
)

UNAVAILABLE = (
    "Nie udało się teraz wysłać wiadomości — spróbuj ponownie za kilka minut lub zadzwoń do urzędu."
)


def notify_stub(request: Request) -> Any:
    return notify_pb2_grpc.NotifyServiceStub(service_channel(request, "notify"))


def gateway_tokens(request: Request) -> ServiceTokens:
    """The gateway's own service token (client credentials at identity), for visitors' messages.

    Taken from app.state.service_tokens when set, else from GATEWAY_SERVICE_TOKEN, else from
    GATEWAY_SERVICE_CLIENT_ID / GATEWAY_SERVICE_CLIENT_SECRET against identity's /token.
    """
    state = request.app.state
    tokens = getattr(state, "service_tokens", None)
    if tokens is None:
        settings = state.settings
        if settings.service_token:
            tokens = StaticServiceTokens(settings.service_token)
        else:
            tokens = ClientCredentialsTokens(
                settings.service_token_url or f"{settings.oidc_issuer.rstrip('/')}/token",
                settings.service_client_id,
                settings.service_client_secret,
            )
        state.service_tokens = tokens
    return tokens


async def token_for(request: Request) -> str:
    """The logged-in user's access token, or the gateway's service token for a visitor."""
    user = current_user(request)
    if user is not None:
        return user.access_token
    return await gateway_tokens(request).token()


def error_of(exc: Exception) -> dict[str, str]:
    """A message to show (Polish) and the form field it concerns."""
    if isinstance(exc, DomainError):
        return {"message": exc.message, "field": exc.field}
    if isinstance(exc, grpc.aio.AioRpcError) and exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return {"message": exc.details() or UNAVAILABLE, "field": ""}
    return {"message": UNAVAILABLE, "field": ""}


def status_of(exc: Exception) -> int:
    if isinstance(exc, DomainError):
        return exc.http_status
    if isinstance(exc, grpc.aio.AioRpcError) and exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return 429
    return 503
