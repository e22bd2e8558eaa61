"""gRPC server bootstrap: health (graceful shutdown), reflection, the portal interceptor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from grpc import aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from portal_platform.auth import TokenVerifier
from portal_platform.errors import StartupError
from portal_platform.rpc.interceptors import PortalInterceptor


@dataclass
class Registration:
    """A servicer to add: `add(servicer, server)` and its full service name."""

    add: Callable[[Any, aio.Server], None]
    servicer: Any
    service_name: str


class GrpcServer:
    """A running grpc.aio server with health reporting."""

    def __init__(self, server: aio.Server, health_servicer: Any, names: Sequence[str], port: int):
        self.server = server
        self.health = health_servicer
        self.names = list(names)
        self.port = port

    async def stop(self, grace: float = 5.0) -> None:
        """Report NOT_SERVING, let calls in flight finish, then stop."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)


async def start_server(
    registrations: Sequence[Registration],
    *,
    host: str,
    port: int,
    verifier: TokenVerifier | None,
) -> GrpcServer:
    """Start the server; every registered service is reported SERVING."""
    server = aio.server(
        interceptors=[PortalInterceptor(verifier)],
        options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", 16 * 1024 * 1024)],
    )
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for reg in registrations:
        reg.add(reg.servicer, server)
    names = [r.service_name for r in registrations]
    reflection.enable_server_reflection(
        [
            *names,
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
            reflection.SERVICE_NAME,
        ],
        server,
    )
    try:
        bound = server.add_insecure_port(f"{host}:{port}")
    except RuntimeError:
        bound = 0
    if not bound:
        raise StartupError(f"cannot listen for gRPC on {host}:{port} (port in use?)")
    await server.start()
    for name in ["", *names]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return GrpcServer(server, health_servicer, names, bound)
