"""Local mail sink: an SMTP server (aiosmtpd) that writes each message as .eml under var/mail/."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import signal
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from portal_platform.logging import configure_logging, get_logger

log = get_logger("mailsink")
URL_RE = re.compile(r"https?://[^\s<>\"']+")


class EmlWriter:
    """aiosmtpd handler: one .eml file per message; logs recipients and links."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}-{self.count:04d}.eml"
        data = envelope.original_content or envelope.content
        path.write_bytes(data)
        msg = message_from_bytes(data, policy=policy.default)
        body = msg.get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else ""
        log.info(
            "mail received",
            to=",".join(envelope.rcpt_tos),
            subject=str(msg.get("Subject", "")),
            file=str(path),
            links=sorted(set(URL_RE.findall(text))),
        )
        return "250 Message accepted"


async def serve(host: str, port: int, folder: Path) -> None:
    controller = Controller(EmlWriter(folder), hostname=host, port=port)
    controller.start()
    log.info("mail sink listening", host=host, port=port, folder=str(folder))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m portal_platform.mailsink")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", default="var/mail")
    ns = parser.parse_args()
    configure_logging("mailsink", json=False)
    # aiosmtpd logs every SMTP command at INFO; one line per received mail (ours) is enough
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    asyncio.run(serve(ns.host, ns.port, Path(ns.dir)))


if __name__ == "__main__":
    main()
