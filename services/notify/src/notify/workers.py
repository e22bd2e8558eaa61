"""What runs beside the consumers: the mail delivery loop and the daily reminder loop."""

from __future__ import annotations

import asyncio
from typing import Any

from notify.config import Settings
from notify.mail.delivery import Delivery
from notify.mail.render import Renderer
from notify.mail.service import RetryPolicy
from notify.mail.smtp import SmtpConfig, SmtpTransport
from notify.rpc.clients import Channels, IdentityDirectory, service_tokens
from portal_platform.service import Runtime


class Notifier:
    """The parts of a running notify shared by consumers, servicers and loops."""

    def __init__(self, rt: Runtime) -> None:
        settings: Settings = rt.settings  # type: ignore[assignment]
        assert rt.db is not None
        self.rt = rt
        self.settings = settings
        self.renderer = Renderer(
            {
                "gmina_name": settings.gmina_name,
                "gmina_contact": settings.gmina_contact,
                "portal_url": settings.portal_url.rstrip("/"),
                "admin_url": settings.admin_url.rstrip("/"),
            }
        )
        self.channels = Channels()
        self.tokens = service_tokens(settings)
        self.directory = IdentityDirectory(settings.identity_address, self.tokens, self.channels)
        self.delivery = Delivery(
            rt.db,
            SmtpTransport(SmtpConfig.from_url(settings.smtp_url, timeout=settings.smtp_timeout_s)),
            sender=settings.mail_from,
            policy=RetryPolicy(settings.retry_base_s, settings.retry_max_s, settings.max_attempts),
            batch=settings.delivery_batch,
            interval_s=settings.delivery_interval_s,
        )
        self.loops_started = False

    def poke_soon(self) -> None:
        """Wake the delivery loop just after the current transaction commits."""
        asyncio.get_running_loop().call_later(0.05, self.delivery.poke)

    def start_loops(self) -> None:
        """Start delivery (and the daily reminders) in this process, once."""
        if self.loops_started:
            return
        self.loops_started = True
        self.rt.tasks.append(asyncio.create_task(self.delivery.run(self.rt.stop_event)))


def notifier(rt: Runtime) -> Notifier:
    """The runtime's Notifier, created on first use."""
    found: Any = rt.state.get("notifier")
    if found is None:
        found = rt.state["notifier"] = Notifier(rt)
    return found  # type: ignore[no-any-return]
