"""Document kinds, number series and the draft of a document to issue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# kind → series code in the number, e.g. FV/W/2026/06/000123
KIND_CODES = {
    "invoice": "FV",
    "fee_notice": "ZAW",
    "decision": "DEC",
    "installment": "RAT",
    "reminder": "UPO",
    "correction": "FK",
}
KIND_LABELS = {
    "invoice": "Faktura VAT",
    "fee_notice": "Zawiadomienie o wysokości opłaty",
    "decision": "Decyzja",
    "installment": "Rata",
    "reminder": "Upomnienie",
    "correction": "Faktura korygująca",
    "uploaded": "Dokument",
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def series(kind: str, module_code: str, issued_on: date) -> str:
    """One series per kind and module, per month: `FV/W/2026/06`."""
    return f"{KIND_CODES[kind]}/{module_code}/{issued_on:%Y}/{issued_on:%m}"


def number(series_name: str, seq: int) -> str:
    return f"{series_name}/{seq:06d}"


@dataclass
class Draft:
    """A document about to be issued; numbered (when its kind is numbered) at issue."""

    id: str
    payer_id: str
    module: str
    kind: str
    title: str
    issued_on: date
    gross_grosze: int = 0
    due_date: date | None = None
    charge_id: str | None = None
    corrects_id: str | None = None
    reason: str = ""
    snapshot: dict[str, Any] = field(default_factory=dict)
    filename: str = ""
    content_type: str = "application/pdf"
    content: bytes | None = None  # attached or uploaded file; None: rendered on demand
    created_by: str = "billing"
    number: str | None = None
