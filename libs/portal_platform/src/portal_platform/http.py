"""HTTP helpers: `/healthz`, security headers, uvicorn inside the service's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

HealthCheck = Callable[[], Awaitable[bool]]


def health_router(service: str, checks: dict[str, HealthCheck] | None = None) -> APIRouter:
    """`GET /healthz`: 200 when every check passes, else 503 with the failing ones."""
    router = APIRouter()

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        results: dict[str, bool] = {}
        for name, check in (checks or {}).items():
            try:
                results[name] = bool(await asyncio.wait_for(check(), timeout=2))
            except Exception:
                results[name] = False
        ok = all(results.values())
        return JSONResponse(
            {"service": service, "status": "SERVING" if ok else "NOT_SERVING", "checks": results},
            status_code=200 if ok else 503,
        )

    return router


class _EmbeddedServer(uvicorn.Server):
    """Uvicorn that leaves signal handling to the service runner."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpServer:
    """Runs an ASGI app in the current event loop."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            lifespan="on",
            proxy_headers=True,
            server_header=False,
        )
        self.server = _EmbeddedServer(config)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
                raise RuntimeError("HTTP server stopped during start-up")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task:
            await self.task


def mount_health(app: FastAPI, service: str, checks: dict[str, HealthCheck] | None = None) -> None:
    app.include_router(health_router(service, checks))
