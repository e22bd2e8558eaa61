"""The online payment provider interface: register → redirect → notification → verify."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class InvalidNotification(Exception):
    """A notification that is not from the provider (bad signature, unknown amounts)."""


@dataclass(frozen=True)
class Registration:
    session_id: str  # our payment id
    amount: int
    description: str
    email: str
    return_url: str
    status_url: str


@dataclass(frozen=True)
class Notification:
    """What the provider says happened, after its signature was checked."""

    session_id: str
    amount: int
    order_id: str
    status: str  # in_progress | settled | failed


class PaymentProvider(Protocol):
    name: str

    async def register(self, r: Registration) -> str:
        """Register the transaction; return the URL to send the payer to."""
        ...

    def parse_notification(self, body: bytes) -> Notification:
        """Check the signature of a notification; raise InvalidNotification if it is forged."""
        ...

    async def verify(self, n: Notification) -> bool:
        """Confirm with the provider that the money is there (before anything is booked)."""
        ...
