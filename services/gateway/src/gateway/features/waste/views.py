"""Presentation of waste data: amounts, dates, labels and installment status (no fee rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

METHOD_LABELS = {
    "per_resident": "od liczby mieszkańców",
    "per_water_m3": "od zużycia wody (m³)",
    "per_area_m2": "od powierzchni lokalu (m²)",
    "per_household": "od gospodarstwa domowego",
    "per_bin": "od pojemnika × liczby odbiorów",
    "cottage": "ryczałt roczny za domek letniskowy",
    "none": "brak obowiązku (wyprowadzka, sprzedaż)",
}
STATUS_LABELS = {
    "draft": "złożona, czeka na potwierdzenie urzędu",
    "confirmed": "przyjęta",
    "rejected": "odrzucona",
}
INSTALLMENT_STATUS = {
    "paid": "zapłacona",
    "due": "do zapłaty",
    "overdue": "po terminie",
    "in_progress": "płatność w trakcie",
}


def zl(grosze: int) -> str:
    sign = "-" if grosze < 0 else ""
    whole, gr = divmod(abs(grosze), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{gr:02d}\u00a0zł"


def to_date(d: Any) -> date | None:
    return date(d.year, d.month, d.day) if d is not None and d.year else None


def pl_date(d: Any) -> str:
    value = d if isinstance(d, date) else to_date(d)
    return f"{value:%d.%m.%Y}" if value else ""


def pl_month(d: Any) -> str:
    value = to_date(d)
    return f"{value:%m.%Y}" if value else ""


@dataclass
class InstallmentRow:
    label: str
    property_label: str
    period: str
    due_date: str
    amount: str
    status: str
    status_label: str


def installment_status(
    installment: Any, charge_ids: dict[str, str], open_by_id: dict[str, Any] | None, today: date
) -> str:
    """paid / in_progress / due / overdue from billing's charges booked for the installment."""
    due = to_date(installment.due_date)
    ids = [charge_ids[k] for k in installment.charge_keys if k in charge_ids]
    if open_by_id is not None and ids and len(ids) == len(installment.charge_keys):
        states = [open_by_id.get(i) for i in ids]
        outstanding = sum(s.outstanding_grosze for s in states if s is not None)
        if all(s is not None for s in states) and outstanding <= 0:
            return "paid"
        if any(s is not None and s.status == "in_progress" for s in states):
            return "in_progress"
    return "overdue" if due is not None and due < today else "due"


def installment_rows(
    installments: Any, charge_ids: dict[str, str], open_by_id: dict[str, Any] | None, today: date
) -> list[InstallmentRow]:
    rows = []
    for i in installments:
        status = installment_status(i, charge_ids, open_by_id, today)
        label = "Ryczałt roczny" if i.number == 0 else f"Rata {i.number}"
        rows.append(
            InstallmentRow(
                label=label,
                property_label=i.address,
                period=f"{pl_date(i.period_from)} – {pl_date(i.period_to)}",
                due_date=pl_date(i.due_date),
                amount=zl(i.amount_grosze),
                status=status,
                status_label=INSTALLMENT_STATUS[status],
            )
        )
    return rows


def declaration_summary(v: Any) -> str:
    """One line describing what a version declares."""
    i = v.input
    parts = [METHOD_LABELS.get(i.method, i.method)]
    if i.method == "per_resident":
        parts.append(f"mieszkańców: {i.residents}")
    elif i.method == "per_area_m2":
        parts.append(f"powierzchnia: {i.area_m2.replace('.', ',')} m²")
    elif i.method in ("per_household", "per_water_m3") and i.households:
        parts.append(f"gospodarstw: {i.households}")
    elif i.method == "per_bin":
        parts.append(f"pojemniki: {i.bins} × odbiory w miesiącu: {i.collections_per_month}")
    if i.composting:
        parts.append("kompostownik przydomowy")
    if i.not_sorting:
        parts.append("bez segregacji")
    return ", ".join(parts)
