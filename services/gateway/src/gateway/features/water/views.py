"""Presentation of water data: amounts, quantities, dates and labels (no water rules)."""

from __future__ import annotations

from datetime import date
from typing import Any

from gateway.web.dates import to_date
from gateway.web.i18n import N_, _

KIND_LABELS = {
    "main": "Wodomierz główny",
    "garden": "Podlicznik ogrodowy",
    "sewage": "Wodomierz ścieków",
}
UNIT_LABELS = {"m3": "m³", "mies.": N_("mies."), "okres": N_("okres")}
STATUS_CLASSES = {
    "pending": "status-wait",
    "accepted": "status-ok",
    "corrected": "status-ok",
    "rejected": "status-bad",
    "superseded": "status-muted",
}
KIND_OF_INVOICE = {"actual": "rozliczeniowa", "estimated": "szacunkowa"}


def zl(grosze: int) -> str:
    """1 234,56 zł (non-breaking spaces)."""
    sign = "-" if grosze < 0 else ""
    whole, gr = divmod(abs(int(grosze)), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{gr:02d}\u00a0zł"


def qty(text: str) -> str:
    """A decimal string with a Polish comma: 56.74 → 56,74."""
    return (text or "0").replace(".", ",")


def pl_date(d: Any) -> str:
    value = d if isinstance(d, date) else to_date(d)
    return f"{value:%d.%m.%Y}" if value else "—"


def iso(d: Any) -> str:
    value = d if isinstance(d, date) else to_date(d)
    return value.isoformat() if value else ""


def period(a: Any, b: Any) -> str:
    return f"{pl_date(a)}–{pl_date(b)}"


def unit(text: str) -> str:
    """The unit of an invoice line in the request's language (m³, months, period)."""
    return _(UNIT_LABELS.get(text, text))


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def field_id(name: str) -> str:
    """The HTML id of a form field named by the service (value_<meter id>, reading_date)."""
    return name.replace(":", "-")
