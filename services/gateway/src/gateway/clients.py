"""gRPC channels to the services, one per address for the life of the app."""

from __future__ import annotations

from grpc import aio
from starlette.requests import Request

from portal_platform.config import parse_address_map
from portal_platform.errors import StartupError
from portal_platform.rpc.client import channel


def service_channel(request: Request, service: str) -> aio.Channel:
    """The channel to `service` (by name from *_GRPC_SERVICES), created on first use."""
    state = request.app.state
    channels: dict[str, aio.Channel] = state.__dict__.setdefault("_channels", {})
    if service not in channels:
        addresses = parse_address_map(state.settings.grpc_services)
        if service not in addresses:
            raise StartupError(f"service {service!r} is not configured in GRPC_SERVICES")
        channels[service] = channel(addresses[service])
    return channels[service]
