"""The whole portal in this test's event loop, wired as in production, with the demo data.

identity (OIDC provider, its own keys) + billing + water + waste + property_tax + notify (real
SMTP catcher) + gateway; every service verifies identity's access tokens against its JWKS. The
demo payer has water invoices, waste installments and a property-tax decision. Used by the
browser journeys and the accessibility tests in tests/e2e and by the manual's screenshots.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from billing.app import definition as billing_definition
from gateway.app import definition as gateway_definition
from identity.app import definition as identity_definition
from identity.cli import DEMO_PAYER, DEMO_RESIDENT
from identity.cli import demo as identity_demo
from notify.app import definition as notify_definition
from notify.testing import MailCatcher
from portal_platform.service import Runtime
from portal_platform.testing.backends import free_port
from property_tax.app import definition as property_tax_definition
from property_tax.commands import demo as property_tax_demo
from waste.app import definition as waste_definition
from waste.demo import load_demo as waste_demo
from water.app import definition as water_definition
from water.demo import load_demo as water_demo

FAST_ARGON = {"argon2_time_cost": 1, "argon2_memory_kib": 8192, "argon2_parallelism": 1}
EMAIL, PASSWORD = DEMO_RESIDENT[0], DEMO_RESIDENT[1]
MODULES = ("water", "waste", "property_tax")


@dataclass
class PortalStack:
    runtimes: dict[str, Runtime]
    smtp: MailCatcher

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.runtimes['gateway'].settings.http_port}"

    @property
    def identity_url(self) -> str:
        return str(self.runtimes["identity"].settings.oidc_issuer)

    def grpc(self, name: str) -> str:
        server = self.runtimes[name].grpc_server
        assert server is not None
        return f"127.0.0.1:{server.port}"

    async def charges_booked(self, at_least: int, timeout: float = 60.0) -> int:
        """Wait until billing booked `at_least` charges of the demo payer (from the outbox),
        with at least one from every module (water, waste, property tax)."""
        from billing.charges.models import Charge

        rt = self.runtimes["billing"]
        assert rt.db is not None
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            async with rt.db.sessions() as s:
                rows = (
                    await s.execute(
                        select(Charge.id, Charge.module).where(Charge.payer_id == DEMO_PAYER)
                    )
                ).all()
            every_module = set(MODULES) <= {module for _id, module in rows}
            if (len(rows) >= at_least and every_module) or (
                asyncio.get_running_loop().time() > deadline
            ):
                return len(rows)
            await asyncio.sleep(0.2)


async def _start(definition: Any, values: dict[str, Any]) -> Runtime:
    settings = definition.settings_cls.model_validate({"env": "test", **values})
    rt = Runtime(definition, settings)
    await rt.serve()
    return rt


@asynccontextmanager
async def portal_stack(
    make_database: Any, nats_url: str, *, sandbox_delay_s: float = 2.0
) -> AsyncIterator[PortalStack]:
    """Start every service with fresh databases, load the demo data, yield, stop everything."""
    smtp = MailCatcher().start()
    gw_port, id_port = free_port(), free_port()
    gw, iss = f"http://127.0.0.1:{gw_port}", f"http://127.0.0.1:{id_port}"
    rts: dict[str, Runtime] = {}

    async def db(definition: Any) -> str:
        return str(await make_database(definition))

    def common() -> dict[str, Any]:
        return {"nats_url": nats_url, "grpc_port": free_port(), "oidc_issuer": iss}

    try:
        rts["identity"] = await _start(
            identity_definition,
            {
                **common(),
                "http_port": id_port,
                "database_url": await db(identity_definition),
                "gateway_redirect_uris": f"{gw}/auth/callback",
                "gateway_logout_uris": f"{gw}/wylogowano",
                "gateway_url": gw,
                **FAST_ARGON,
            },
        )
        await rts["identity"].state["keys"].refresh(rts["identity"].db, force=True)
        id_grpc = f"127.0.0.1:{rts['identity'].grpc_server.port}"  # type: ignore[union-attr]
        rts["billing"] = await _start(
            billing_definition,
            {
                **common(),
                "http_port": free_port(),
                "database_url": await db(billing_definition),
                "sandbox_settlement_delay_s": sandbox_delay_s,
            },
        )
        rts["water"] = await _start(
            water_definition, {**common(), "database_url": await db(water_definition)}
        )
        rts["waste"] = await _start(
            waste_definition, {**common(), "database_url": await db(waste_definition)}
        )
        rts["property_tax"] = await _start(
            property_tax_definition,
            {**common(), "database_url": await db(property_tax_definition)},
        )
        rts["notify"] = await _start(
            notify_definition,
            {
                **common(),
                "database_url": await db(notify_definition),
                "smtp_url": smtp.url,
                "identity_address": id_grpc,
                "service_token_url": f"{iss}/token",
                "delivery_interval_s": 0.2,
                "portal_url": gw,
                "reminders_enabled": False,
            },
        )
        stack = PortalStack(rts, smtp)
        services = ",".join(
            f"{n}={stack.grpc(n)}" for n in ("identity", "billing", *MODULES, "notify")
        )
        billing_http = f"http://127.0.0.1:{rts['billing'].settings.http_port}/healthz"
        rts["gateway"] = await _start(
            gateway_definition,
            {
                "http_port": gw_port,
                "oidc_issuer": iss,
                "grpc_services": services,
                "http_services": f"billing={billing_http}",
                "PORTAL_MODULES": ",".join(f"{n}={stack.grpc(n)}" for n in MODULES),
            },
        )
        await identity_demo(rts["identity"], [])
        await water_demo(rts["water"])
        waste = rts["waste"]
        assert waste.db is not None and waste.outbox is not None
        await waste_demo(waste.db, waste.outbox)
        await property_tax_demo(rts["property_tax"], [])
        yield stack
    finally:
        for rt in reversed(list(rts.values())):
            await rt.close()
        smtp.stop()


async def browser_login(page: Any, stack: PortalStack, target: str = "/") -> None:
    """Log the demo resident in through identity's login page (the real OIDC flow)."""
    await page.goto(f"{stack.gateway_url}/logowanie?next={target}")
    await page.fill("#f-email", EMAIL)
    await page.fill("#f-password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{stack.gateway_url}{target}")
