"""Plain data of the contact form, independent of protobuf and the database."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class Sender:
    """Who writes: a resident's account, or a visitor known only by an e-mail address."""

    email: str
    name: str = ""
    account_id: str | None = None
    language: str = "pl"
    client_address: str = ""

    @property
    def kind(self) -> str:
        return "resident" if self.account_id else "visitor"


@dataclass(frozen=True)
class Clerk:
    subject: str
    name: str


@dataclass(frozen=True)
class MailSettings:
    """Where contact mail goes and how links to threads look."""

    clerks_email: str
    portal_url: str
