"""What the account use cases need besides the session: settings, hasher, outbox."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from identity.accounts.passwords import Passwords
from identity.config import Settings
from portal_platform.messaging.outbox import Outbox


@dataclass
class Context:
    settings: Settings
    passwords: Passwords
    outbox: Outbox

    def url(self, path: str, **params: str) -> str:
        """An absolute URL of identity's pages (links in e-mails)."""
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.settings.issuer}{path}{query}"


def make_context(settings: Settings, outbox: Outbox) -> Context:
    passwords = Passwords(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )
    return Context(settings=settings, passwords=passwords, outbox=outbox)
