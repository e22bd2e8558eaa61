"""Presentation of waste data: amounts, dates, labels and installment status (no fee rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from gateway.web.dates import to_date
from gateway.web.i18n import _

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
    installment: Any,
    charges: dict[str, tuple[str, int]],
    open_by_id: dict[str, Any] | None,
    today: date,
) -> str:
    """paid / in_progress / due / overdue from billing's charges booked for the installment.

    `charges` maps an idempotency key to (charge id, gross); a correction lowering the fee
    (negative gross) is a credit and need not appear among billing's open charges.
    """
    due = to_date(installment.due_date)
    booked = [charges[k] for k in installment.charge_keys if k in charges]
    if open_by_id is not None and booked and len(booked) == len(installment.charge_keys):
        owed = [open_by_id.get(cid) for cid, gross in booked if gross > 0]
        if all(s is not None for s in owed):
            states = [open_by_id[cid] for cid, _gross in booked if cid in open_by_id]
            if sum(s.outstanding_grosze for s in states) <= 0:
                return "paid"
            if any(s.status == "in_progress" for s in states):
                return "in_progress"
    return "overdue" if due is not None and due < today else "due"


def installment_rows(
    installments: Any,
    charge_ids: dict[str, tuple[str, int]],
    open_by_id: dict[str, Any] | None,
    today: date,
) -> list[InstallmentRow]:
    rows = []
    for i in installments:
        status = installment_status(i, charge_ids, open_by_id, today)
        label = _("Ryczałt roczny") if i.number == 0 else _("Rata %(n)s", n=i.number)
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
    parts = [_(METHOD_LABELS.get(i.method, i.method))]
    if i.method == "per_resident":
        parts.append(_("mieszkańców: %(n)s", n=i.residents))
    elif i.method == "per_area_m2":
        parts.append(_("powierzchnia: %(area)s m²", area=i.area_m2.replace(".", ",")))
    elif i.method in ("per_household", "per_water_m3") and i.households:
        parts.append(_("gospodarstw: %(n)s", n=i.households))
    elif i.method == "per_bin":
        parts.append(
            _("pojemniki: %(bins)s × odbiory w miesiącu: %(n)s", bins=i.bins,
              n=i.collections_per_month)
        )  # fmt: skip
    if i.composting:
        parts.append(_("kompostownik przydomowy"))
    if i.not_sorting:
        parts.append(_("bez segregacji"))
    return ", ".join(parts)
