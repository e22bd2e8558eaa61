"""What runs beside the consumers: the mail delivery loop and the daily reminder loop."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from notify.config import Settings
from notify.mail.delivery import Delivery
from notify.mail.render import Renderer
from notify.mail.service import RetryPolicy
from notify.mail.smtp import SmtpConfig, SmtpTransport
from notify.reminders import service as reminders
from notify.rpc.clients import Channels, GrpcSources, IdentityDirectory, service_tokens
from portal_platform.logging import get_logger
from portal_platform.service import Runtime

log = get_logger(__name__)
WARSAW = ZoneInfo("Europe/Warsaw")


def today_local() -> date:
    return datetime.now(WARSAW).date()


def seconds_until(hour: int, now: datetime) -> float:
    """Seconds from `now` (aware) to the next `hour`:00 in Warsaw."""
    local = now.astimezone(WARSAW)
    target = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= local:
        target = (target + timedelta(days=1)).replace(hour=hour)
    return max((target.astimezone(UTC) - now.astimezone(UTC)).total_seconds(), 1.0)


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
                "identity_url": settings.oidc_issuer.rstrip("/"),
            }
        )
        self.channels = Channels()
        self.tokens = service_tokens(settings)
        self.directory = IdentityDirectory(settings.identity_address, self.tokens, self.channels)
        self.sources = GrpcSources(
            settings.water_address, settings.billing_address, self.tokens, self.channels
        )
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
        if self.settings.reminders_enabled:
            self.rt.tasks.append(asyncio.create_task(self.reminder_loop(self.rt.stop_event)))

    async def remind(self, day: date | None = None) -> reminders.RunResult:
        """One reminder run (idempotent: a second run on the same day sends nothing)."""
        assert self.rt.db is not None
        result = await reminders.remind(
            self.rt.db, self.sources, self.directory, self.renderer, today=day or today_local()
        )
        if result.mails:
            self.delivery.poke()
        return result

    async def reminder_loop(self, stop: asyncio.Event) -> None:
        """Daily at `reminder_hour` (and at start-up once that hour has passed today)."""
        hour = self.settings.reminder_hour
        run_now = datetime.now(WARSAW).hour >= hour
        while not stop.is_set():
            if run_now:
                try:
                    await self.remind()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.warning("reminder run failed; next try in an hour", exc_info=True)
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=3600)
                    continue
            run_now = True
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(
                    stop.wait(), timeout=seconds_until(hour, datetime.now(WARSAW))
                )


def notifier(rt: Runtime) -> Notifier:
    """The runtime's Notifier, created on first use."""
    found: Any = rt.state.get("notifier")
    if found is None:
        found = rt.state["notifier"] = Notifier(rt)
    return found  # type: ignore[no-any-return]
