"""Extra commands: `python -m notify remind` (one reminder run) and `deliver` (the mail loop)."""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Awaitable, Callable
from datetime import date

from notify.workers import notifier
from portal_platform.logging import get_logger
from portal_platform.service import Runtime

log = get_logger(__name__)


async def deliver(rt: Runtime, _args: list[str]) -> int:
    """Run only the delivery loop (scaled out apart from the consumers)."""
    n = notifier(rt)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, rt.stop_event.set)
    await n.delivery.run(rt.stop_event)
    return 0


async def remind(rt: Runtime, args: list[str]) -> int:
    """One reminder run for today (or --date YYYY-MM-DD); a second run sends nothing."""
    parser = argparse.ArgumentParser(prog="python -m notify remind")
    parser.add_argument("--date", type=date.fromisoformat, default=None)
    ns = parser.parse_args(args)
    result = await notifier(rt).remind(ns.date)
    log.info(
        "reminders queued; the delivery loop sends them",
        candidates=result.candidates,
        payers=result.reminded_payers,
        mails=result.mails,
    )
    return 0


COMMANDS: dict[str, Callable[[Runtime, list[str]], Awaitable[int]]] = {
    "deliver": deliver,
    "remind": remind,
}
