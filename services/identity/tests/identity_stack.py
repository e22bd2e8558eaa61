"""identity + notify (real SMTP server) + gateway + admin, wired as in production (e2e tests)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from identity_test_helpers import grpc_address, start_identity

from admin.app import definition as admin_definition
from gateway.app import definition as gateway_definition
from notify.app import definition as notify_definition
from notify.testing import MailCatcher
from portal_platform.service import Runtime
from portal_platform.testing.backends import free_port

LINK_RE = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class Stack:
    identity: Runtime
    notify: Runtime
    gateway: Runtime
    admin: Runtime
    smtp: MailCatcher

    @property
    def identity_url(self) -> str:
        return self.identity.settings.oidc_issuer

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway.settings.http_port}"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin.settings.http_port}"

    async def link_in_mail(
        self, to: str, contains: str, *, count: int = 1, timeout: float = 30
    ) -> str:
        """Wait for the `count`-th mail to `to` and return its link containing `contains`."""
        import asyncio

        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            mails = self.smtp.to(to)
            if len(mails) >= count:
                body = mails[count - 1].get_body(preferencelist=("plain",))
                text = body.get_content() if body is not None else ""
                for link in LINK_RE.findall(text):
                    if contains in link:
                        return str(link).rstrip(".,)")
                raise AssertionError(f"no link with {contains!r} in the mail: {text}")
            await asyncio.sleep(0.1)
        raise AssertionError(f"no mail #{count} to {to} within {timeout}s")


async def _start(definition: Any, values: dict[str, Any]) -> Runtime:
    settings = definition.settings_cls.model_validate({"env": "test", **values})
    rt = Runtime(definition, settings)
    await rt.serve()
    return rt


@asynccontextmanager
async def identity_stack(make_database: Any, nats_url: str) -> AsyncIterator[Stack]:
    smtp = MailCatcher().start()
    gw_port, admin_port = free_port(), free_port()
    gw, adm = f"http://127.0.0.1:{gw_port}", f"http://127.0.0.1:{admin_port}"
    started: list[Runtime] = []
    try:
        identity = await start_identity(
            make_database,
            nats_url,
            gateway_redirect_uris=f"{gw}/auth/callback",
            gateway_logout_uris=f"{gw}/wylogowano",
            admin_redirect_uris=f"{adm}/auth/callback",
            admin_logout_uris=f"{adm}/wylogowano",
            gateway_url=gw,
        )
        started.append(identity)
        iss = identity.settings.oidc_issuer
        notify = await _start(
            notify_definition,
            {
                "nats_url": nats_url,
                "database_url": await make_database(notify_definition),
                "grpc_port": free_port(),
                "oidc_issuer": iss,
                "smtp_url": smtp.url,
                "identity_address": grpc_address(identity),
                "service_token_url": f"{iss}/token",
                "delivery_interval_s": 0.2,
                "portal_url": gw,
                "admin_url": adm,
                "reminders_enabled": False,
            },
        )
        started.append(notify)
        services = f"identity={grpc_address(identity)}"
        gateway = await _start(
            gateway_definition,
            {"http_port": gw_port, "oidc_issuer": iss, "grpc_services": services},
        )
        started.append(gateway)
        admin = await _start(
            admin_definition,
            {"http_port": admin_port, "oidc_issuer": iss, "grpc_services": services},
        )
        started.append(admin)
        yield Stack(identity, notify, gateway, admin, smtp)
    finally:
        for rt in reversed(started):
            await rt.close()
        smtp.stop()
