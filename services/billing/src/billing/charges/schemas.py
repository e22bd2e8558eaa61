"""Plain data of the charges intake, independent of protobuf and the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

DOCUMENT_KINDS = ("invoice", "fee_notice", "decision", "installment", "correction")
# A module may lower what it charged only with these documents (a negative amount).
DECREASE_KINDS = ("fee_notice", "decision", "correction")


@dataclass(frozen=True)
class LineIn:
    description: str
    quantity: Decimal
    unit: str
    unit_net_grosze: int
    net_grosze: int
    vat_rate: str
    vat_grosze: int
    gross_grosze: int
    period_from: date | None = None
    period_to: date | None = None


@dataclass(frozen=True)
class ChargeIn:
    """A charge requested by a module; `event_id` is the request event's id."""

    event_id: str
    payer_id: str
    module: str
    idempotency_key: str
    document_kind: str
    title: str
    lines: tuple[LineIn, ...]
    due_dates: tuple[date, ...] = field(default_factory=tuple)
    payer_name: str = ""
    payer_address: str = ""
    payer_nip: str = ""
    attachment: Attachment | None = None
    corrects_key: str = ""  # a decrease: the idempotency key of the charge it lowers

    @property
    def gross_grosze(self) -> int:
        return sum(line.gross_grosze for line in self.lines)


@dataclass(frozen=True)
class Attachment:
    """A file the module attached (e.g. its own decision PDF) instead of a rendered one."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class BookedCharge:
    id: str
    payer_id: str
    module: str
    idempotency_key: str
    gross_grosze: int
