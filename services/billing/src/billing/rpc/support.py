"""What the gRPC servicers share: database, context, outbox, provider, and access checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from billing.context import Context
from billing.payments.providers.base import PaymentProvider
from portal_platform.auth import Principal, principal
from portal_platform.db import Database
from portal_platform.errors import NotFound
from portal_platform.messaging.outbox import Outbox

STAFF = ("clerk", "admin", "service")


@dataclass
class Support:
    db: Database
    ctx: Context
    outbox: Outbox
    provider: PaymentProvider
    settings: Any

    @staticmethod
    def staff() -> Principal:
        """The caller, who must be a clerk, an admin or a service."""
        p = principal()
        p.require_role(*STAFF)
        return p

    @staticmethod
    def payer(payer_id: str) -> Principal:
        """The caller, who may see this payer (residents: only their linked payers)."""
        p = principal()
        p.require_payer(payer_id)
        return p

    @staticmethod
    def owns(payer_id: str) -> None:
        """Refuse an object of another payer as if it did not exist (no existence leak)."""
        p = principal()
        if not p.is_staff and payer_id not in p.payers:
            raise NotFound("Nie ma takiego dokumentu.", field="document_id")
