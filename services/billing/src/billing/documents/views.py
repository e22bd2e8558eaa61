"""What a rendered document shows, as plain data (built from the stored, immutable records)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Party:
    name: str
    address: str = ""
    nip: str = ""


@dataclass(frozen=True)
class Line:
    description: str
    quantity: str
    unit: str
    unit_net: int
    net: int
    vat_rate: str
    vat: int
    gross: int
    period: str = ""


@dataclass(frozen=True)
class ArrearsItem:
    """A row of a reminder: what is overdue, since when, with interest to the issue date."""

    title: str
    document_number: str
    due_date: date
    principal: int
    interest: int


@dataclass
class DocumentView:
    kind: str
    label: str
    number: str
    title: str
    issued_on: date
    seller: Party
    buyer: Party
    payer_id: str
    gross: int
    account: str
    bank: str
    qr_payload: str
    lines: list[Line] = field(default_factory=list)
    installments: list[tuple[date, int]] = field(default_factory=list)
    corrects_number: str = ""
    reason: str = ""
    original_lines: list[Line] = field(default_factory=list)
    arrears: list[ArrearsItem] = field(default_factory=list)
    cost: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SlipView:
    """A payment slip (ZBP polecenie przelewu / wpłata gotówkowa)."""

    recipient: str
    recipient_address: str
    account: str
    amount: int
    amount_words: str
    payer: str
    payer_address: str
    title: str
    qr_payload: str
