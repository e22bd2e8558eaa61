"""Presentation of billing data: amounts, dates, labels, module sections (no billing rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gateway.features.billing.einvoice import offered
from gateway.web.dates import to_date

STATUS = {
    "open": "do zapłaty",
    "overdue": "po terminie",
    "in_progress": "płatność w trakcie",
    "paid": "zapłacona",
}
PAYMENT_STATUS = {
    "started": "rozpoczęta — czeka na potwierdzenie operatora",
    "in_progress": "w trakcie",
    "settled": "zaksięgowana",
    "failed": "nieudana",
}
CHANNELS = {"online": "online", "statement": "przelew na rachunek", "cash": "w kasie urzędu"}
KINDS = {
    1: "Faktura VAT",
    2: "Zawiadomienie",
    3: "Decyzja",
    4: "Rata",
    5: "Upomnienie",
    6: "Faktura korygująca",
    7: "Pismo",
}


def zl(grosze: int) -> str:
    sign = "-" if grosze < 0 else ""
    whole, gr = divmod(abs(grosze), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{gr:02d}\u00a0zł"


def day(d: Any) -> str:
    x = to_date(d)
    return f"{x:%d.%m.%Y}" if x else "—"


def nrb(account: str) -> str:
    return (
        account[:2] + " " + " ".join(account[i : i + 4] for i in range(2, 26, 4)) if account else ""
    )


@dataclass
class Section:
    """One module's part of Należności."""

    key: str
    label: str
    order: int
    charges: list[Any] = field(default_factory=list)
    balance: Any = None
    lang: str = ""  # "pl" when the heading stays Polish on a page in another language


def sections(
    modules: dict[str, tuple[str, int, str]], balance: Any, charges: list[Any]
) -> list[Section]:
    """Sections of the modules from configuration, plus any module billing knows besides."""
    out: dict[str, Section] = {
        k: Section(k, label, order, lang=lang) for k, (label, order, lang) in modules.items()
    }
    for b in balance.modules:
        out.setdefault(
            b.module, Section(b.module, b.module.replace("_", " ").capitalize(), 999)
        ).balance = b
    for c in charges:
        out.setdefault(
            c.module, Section(c.module, c.module.replace("_", " ").capitalize(), 999)
        ).charges.append(c)
    return sorted(out.values(), key=lambda s: (s.order, s.label))


HELPERS = {
    "zl": zl,
    "day": day,
    "nrb": nrb,
    "STATUS": STATUS,
    "PAYMENT_STATUS": PAYMENT_STATUS,
    "CHANNELS": CHANNELS,
    "KINDS": KINDS,
    "xml_offered": offered,
}
