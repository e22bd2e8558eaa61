"""Plain data of outgoing mail, independent of protobuf and the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Optional categories a resident can switch off; the others always go.
OPTIONAL_CATEGORIES = ("readings", "documents", "payments", "reminders")
MANDATORY_CATEGORIES = ("account", "contact")
LANGUAGES = ("pl", "en")


@dataclass(frozen=True)
class Recipient:
    """Who gets a mail: an account (with its language) or a bare address."""

    email: str
    name: str = ""
    language: str = "pl"
    account_id: str | None = None
    state: str = ""


@dataclass(frozen=True)
class MailIn:
    """A mail to render and queue; `dedup_key` makes a repeat queue nothing."""

    dedup_key: str
    recipient: Recipient
    template: str
    category: str
    context: dict[str, Any] = field(default_factory=dict)
    reply_to: str | None = None
    attachment_ids: tuple[int, ...] = ()
    source_event_id: str | None = None

    @property
    def mandatory(self) -> bool:
        return self.category not in OPTIONAL_CATEGORIES


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
