"""Asking many services for their health at once (gRPC health and HTTP /healthz)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from portal_platform.rpc.client import check_health


@dataclass
class ServiceStatus:
    name: str
    kind: str
    address: str
    status: str

    @property
    def ok(self) -> bool:
        return self.status == "SERVING"


async def http_health(url: str, timeout: float = 1.5) -> str:
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            resp = await client.get(url)
        return "SERVING" if resp.status_code == 200 else "NOT_SERVING"
    except httpx.HTTPError:
        return "UNREACHABLE"


async def collect(grpc: dict[str, str], http: dict[str, str]) -> list[ServiceStatus]:
    """Health of every named gRPC address and HTTP health URL, checked concurrently."""
    checks = [("gRPC", n, a, check_health(a)) for n, a in grpc.items()]
    checks += [("HTTP", n, a, http_health(a)) for n, a in http.items()]
    results = await asyncio.gather(*(c[3] for c in checks))
    statuses = [ServiceStatus(n, k, a, r) for (k, n, a, _), r in zip(checks, results, strict=True)]
    return sorted(statuses, key=lambda s: (s.name, s.kind))
