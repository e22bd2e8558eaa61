"""One server interceptor: request id, access token, logging, domain error → status."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from grpc import aio

from portal_platform.auth import TokenVerifier, current_principal
from portal_platform.errors import DomainError, Unauthenticated
from portal_platform.logging import get_logger, request_id_var

log = get_logger("portal.grpc")

PUBLIC_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


def _metadata(context: aio.ServicerContext) -> dict[str, str]:
    return {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}


class PortalInterceptor(aio.ServerInterceptor):  # type: ignore[misc]
    """Wraps every unary handler of the server."""

    def __init__(self, verifier: TokenVerifier | None) -> None:
        self.verifier = verifier
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        method = details.method
        cached = self._wrapped.get(method)
        if cached is not None:
            return cached
        handler = await continuation(details)
        if handler is None or method.startswith(PUBLIC_PREFIXES):
            return handler
        wrapped = self._wrap_handler(method, handler)
        self._wrapped[method] = wrapped
        return wrapped

    def _wrap_handler(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        """The handler with auth, request id, logging and error mapping around it (built once)."""
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap(method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            inner = handler.unary_stream

            async def stream(request: Any, context: aio.ServicerContext) -> Any:
                await self._authenticate(context)
                async for item in inner(request, context):
                    yield item

            return grpc.unary_stream_rpc_method_handler(
                stream,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler

    async def _authenticate(self, context: aio.ServicerContext) -> None:
        if self.verifier is None:
            raise Unauthenticated("Serwis nie ma skonfigurowanej weryfikacji tokenów.")
        auth = _metadata(context).get("authorization", "")
        if not auth.lower().startswith("bearer "):
            raise Unauthenticated("Brak tokenu dostępu.")
        current_principal.set(await self.verifier.verify(auth[7:].strip()))

    def _wrap(
        self, method: str, behavior: Callable[..., Awaitable[Any]]
    ) -> Callable[..., Awaitable[Any]]:
        async def wrapper(request: Any, context: aio.ServicerContext) -> Any:
            rid = _metadata(context).get("x-request-id") or uuid.uuid4().hex
            request_id_var.set(rid)
            current_principal.set(None)
            start = time.perf_counter()
            status = "OK"
            try:
                await self._authenticate(context)
                return await behavior(request, context)
            except aio.AbortError:
                status = "ABORTED_BY_HANDLER"
                raise
            except DomainError as exc:
                status = exc.grpc_status
                context.set_trailing_metadata(
                    (("portal-error-code", exc.code), ("portal-error-field", exc.field))
                )
                await context.abort(getattr(grpc.StatusCode, exc.grpc_status), exc.message)
            except Exception:
                status = "INTERNAL"
                log.exception("unhandled error in gRPC method", method=method)
                await context.abort(grpc.StatusCode.INTERNAL, "Wewnętrzny błąd serwisu.")
            finally:
                log.debug(
                    "grpc call",
                    method=method,
                    status=status,
                    ms=round((time.perf_counter() - start) * 1000, 2),
                )

        return wrapper
