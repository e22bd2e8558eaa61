"""The portal's services in a background thread with their own event loop.

For clients that block (schemathesis' requests, locust): they cannot share the test's event
loop with the servers. Tokens come from the test issuer (portal_platform.testing), so the
services verify them without identity; the demo data of water, waste and property tax is loaded.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from billing.app import definition as billing_definition
from gateway.app import definition as gateway_definition
from notify.app import definition as notify_definition
from portal_platform.auth import TokenVerifier
from portal_platform.service import Runtime
from portal_platform.testing.backends import free_port
from portal_platform.testing.keys import TestIssuer
from property_tax.app import definition as property_tax_definition
from property_tax.commands import demo as property_tax_demo
from waste.app import definition as waste_definition
from waste.demo import load_demo as waste_demo
from water.app import definition as water_definition
from water.demo import load_demo as water_demo

DEFINITIONS = {
    "billing": billing_definition,
    "water": water_definition,
    "waste": waste_definition,
    "property_tax": property_tax_definition,
    "notify": notify_definition,
}
MODULES = ("water", "waste", "property_tax")


@dataclass
class ThreadedSystem:
    gateway_url: str = ""
    runtimes: dict[str, Runtime] = field(default_factory=dict)
    error: BaseException | None = None


async def _start_all(
    system: ThreadedSystem, issuer: TestIssuer, nats_url: str, databases: dict[str, str]
) -> None:
    verifier = TokenVerifier(issuer=issuer.issuer, audience=issuer.audience, jwks=issuer.jwks)

    async def start(name: str, definition: Any, values: dict[str, Any]) -> Runtime:
        settings = definition.settings_cls.model_validate(
            {"env": "test", "nats_url": nats_url, "oidc_issuer": issuer.issuer, **values}
        )
        rt = Runtime(definition, settings, verifier=verifier)
        system.runtimes[name] = rt
        await rt.serve()
        return rt

    for name, definition in DEFINITIONS.items():
        extra: dict[str, Any] = {"grpc_port": free_port(), "database_url": databases[name]}
        if name == "billing":
            extra |= {"http_port": free_port(), "sandbox_settlement_delay_s": 1.0}
        if name == "notify":
            # contact cases only: no mail delivery, no consumers of other services' events
            extra |= {"smtp_url": "smtp://127.0.0.1:9", "reminders_enabled": False}
            extra |= {"in_process_workers": False}
        await start(name, definition, extra)
    grpc = {n: f"127.0.0.1:{rt.grpc_server.port}" for n, rt in system.runtimes.items()}  # type: ignore[union-attr]
    port = free_port()
    billing_http = system.runtimes["billing"].settings.http_port
    await start(
        "gateway",
        gateway_definition,
        {
            "http_port": port,
            "grpc_services": ",".join(f"{n}={a}" for n, a in grpc.items()),
            "http_services": f"billing=http://127.0.0.1:{billing_http}/healthz",
            "PORTAL_MODULES": ",".join(f"{n}={grpc[n]}" for n in MODULES),
        },
    )
    await water_demo(system.runtimes["water"])
    waste = system.runtimes["waste"]
    assert waste.db is not None and waste.outbox is not None
    await waste_demo(waste.db, waste.outbox)
    await property_tax_demo(system.runtimes["property_tax"], [])
    system.gateway_url = f"http://127.0.0.1:{port}"


@contextmanager
def threaded_system(
    issuer: TestIssuer, nats_url: str, databases: dict[str, str]
) -> Iterator[ThreadedSystem]:
    """Start billing, the modules, notify and the gateway in a thread; stop them after."""
    system = ThreadedSystem()
    loop = asyncio.new_event_loop()
    ready, stop = threading.Event(), None

    async def main() -> None:
        nonlocal stop
        stop = asyncio.Event()
        try:
            await _start_all(system, issuer, nats_url, databases)
        except BaseException as exc:
            system.error = exc
        ready.set()
        await stop.wait()
        for rt in reversed(list(system.runtimes.values())):
            await rt.close()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    started = ready.wait(300)
    try:
        if system.error is not None:
            raise system.error
        if not started or not system.gateway_url:
            raise RuntimeError("the services did not start within 300 s")
        yield system
    finally:
        if stop is not None:
            loop.call_soon_threadsafe(stop.set)
        thread.join(60)
        loop.close()
