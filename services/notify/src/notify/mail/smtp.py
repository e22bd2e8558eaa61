"""SMTP transport (aiosmtplib): compose MIME messages and send a batch over one connection."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import parse_qs, unquote, urlparse

import aiosmtplib


@dataclass(frozen=True)
class SmtpConfig:
    """Where to send: parsed from smtp://[user:pass@]host:port (smtps:// TLS, ?starttls=1)."""

    host: str
    port: int
    username: str = ""
    password: str = ""
    use_tls: bool = False
    start_tls: bool | None = False
    timeout: float = 15.0

    @classmethod
    def from_url(cls, url: str, *, timeout: float = 15.0) -> SmtpConfig:
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP URL must start with smtp:// or smtps://, got {url!r}")
        query = parse_qs(parsed.query)
        tls = parsed.scheme == "smtps"
        start_tls = query.get("starttls", ["0"])[0] in ("1", "true", "yes")
        return cls(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or (465 if tls else 25),
            username=unquote(parsed.username or ""),
            password=unquote(parsed.password or ""),
            use_tls=tls,
            start_tls=start_tls,
            timeout=timeout,
        )


@dataclass(frozen=True)
class Outgoing:
    """A composed message ready to send, with the id of its record."""

    mail_id: int
    recipient: str
    message: EmailMessage


@dataclass(frozen=True)
class File:
    filename: str
    content_type: str
    content: bytes


def compose(
    *,
    mail_id: int,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    reply_to: str | None = None,
    language: str = "pl",
    files: tuple[File, ...] = (),
    automatic: bool = True,
) -> EmailMessage:
    """Plain text + HTML alternative (+ attachments); the Message-ID is stable per record."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    domain = parseaddr(sender)[1].rpartition("@")[2] or "portal.local"
    digest = hashlib.sha256(f"{mail_id}:{recipient}".encode()).hexdigest()[:16]
    msg["Message-ID"] = f"<notify-{mail_id}-{digest}@{domain}>" if mail_id else make_msgid()
    msg["Content-Language"] = language
    if reply_to:
        msg["Reply-To"] = reply_to
    if automatic:
        msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    for f in files:
        maintype, _, subtype = f.content_type.partition("/")
        msg.add_attachment(f.content, maintype=maintype, subtype=subtype, filename=f.filename)
    return msg


class SendError(Exception):
    """A message was not accepted; `permanent` when retrying cannot help (5xx for it)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmtpTransport:
    """Sends batches; a connection failure fails the whole batch as temporary."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    async def send_batch(self, batch: list[Outgoing]) -> dict[int, SendError | None]:
        """Send each message; map mail id → None (accepted) or the error."""
        results: dict[int, SendError | None] = {}
        cfg = self.config
        client = aiosmtplib.SMTP(
            hostname=cfg.host,
            port=cfg.port,
            use_tls=cfg.use_tls,
            start_tls=cfg.start_tls,
            timeout=cfg.timeout,
        )
        try:
            await client.connect()
            if cfg.username:
                await client.login(cfg.username, cfg.password)
        except (aiosmtplib.SMTPException, OSError) as exc:
            err = SendError(f"SMTP {cfg.host}:{cfg.port} unreachable: {exc}", permanent=False)
            return dict.fromkeys((o.mail_id for o in batch), err)
        try:
            for out in batch:
                results[out.mail_id] = await self._send_one(client, out)
        finally:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()
        return results

    async def _send_one(self, client: aiosmtplib.SMTP, out: Outgoing) -> SendError | None:
        try:
            await client.send_message(out.message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            return SendError(f"recipient refused: {exc}", permanent=all(c >= 500 for c in codes))
        except aiosmtplib.SMTPResponseException as exc:
            return SendError(f"SMTP {exc.code}: {exc.message}", permanent=exc.code >= 500)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return SendError(f"SMTP error: {exc}", permanent=False)
        return None
