"""Presentation of property tax for residents and parsing of the objects form (no tax rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.web.i18n import N_
from portal.property_tax.v1 import property_tax_pb2 as pb

# Polish labels, translated where they are shown
STATUS_LABELS = {"draft": N_("czeka na sprawdzenie w urzędzie"), "confirmed": N_("przyjęta"),
                 "rejected": N_("odrzucona")}  # fmt: skip
KIND_LABELS = {"person": N_("osoba fizyczna (informacja IN-1)"),
               "company": N_("osoba prawna lub firma (deklaracja DN-1)")}  # fmt: skip
OBJECT_FIELDS = ("category", "location", "area", "area_reduced", "value", "share", "co_owners")
EXTRA_ROWS = 3


def zl(grosze: int) -> str:
    sign = "-" if grosze < 0 else ""
    whole, gr = divmod(abs(int(grosze)), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{gr:02d}\u00a0zł"


def day(d: Any) -> str:
    return f"{d.day:02d}.{d.month:02d}.{d.year}" if d is not None and d.year else "—"


def number(text: str) -> str:
    return text.replace(".", ",")


def base(o: Any, units: dict[str, str]) -> str:
    """What the object is taxed on, e.g. "120 m²", "1,5 ha", "125 000,00 zł"."""
    if units.get(o.category) == "value":
        whole, _, gr = o.value.partition(".")
        return zl(int(whole or 0) * 100 + int((gr or "0")[:2].ljust(2, "0")))
    text = f"{number(o.area)} {units.get(o.category, 'm²')}"
    if o.area_reduced:
        text += " " + _("(+ %(area)s m² liczone w 50%%)", area=number(o.area_reduced))
    return text


def co_owners_text(o: Any) -> str:
    return "\n".join(f"{c.name} {c.share}" for c in o.co_owners)


@dataclass
class FormRows:
    """Rows of the objects form as typed, and which row each object sent came from."""

    rows: list[dict[str, str]] = field(default_factory=list)
    sent_from: list[int] = field(default_factory=list)


def rows_from_objects(objects: Any) -> list[dict[str, str]]:
    rows = [
        {"category": o.category, "location": o.location, "area": number(o.area),
         "area_reduced": number(o.area_reduced), "value": number(o.value),
         "share": o.share if o.share != "1" else "", "co_owners": co_owners_text(o)}
        for o in objects
    ]  # fmt: skip
    return rows + [dict.fromkeys(OBJECT_FIELDS, "") for _row in range(EXTRA_ROWS)]


def parse_co_owners(text: str) -> list[pb.CoOwner]:
    """One co-owner per line: "Anna Nowak 1/2" (the share is the last word)."""
    out = []
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        share = words[-1] if any(ch.isdigit() for ch in words[-1]) else ""
        name = " ".join(words[:-1] if share else words)
        out.append(pb.CoOwner(name=name, share=share))
    return out


def parse_rows(form: Any, count: int) -> tuple[FormRows, list[pb.TaxObject]]:
    """Objects from the form's rows; a row left empty is skipped."""
    parsed = FormRows()
    objects = []
    for i in range(count):
        row = {f: str(form.get(f"obj-{i}-{f}", "")).strip() for f in OBJECT_FIELDS}
        parsed.rows.append(row)
        if not any(row[f] for f in OBJECT_FIELDS if f != "category") and not row["category"]:
            continue
        parsed.sent_from.append(i)
        objects.append(
            pb.TaxObject(
                category=row["category"], location=row["location"], area=row["area"],
                area_reduced=row["area_reduced"], value=row["value"], share=row["share"],
                co_owners=parse_co_owners(row["co_owners"]),
            )
        )  # fmt: skip
    return parsed, objects


def field_id(error_field: str, sent_from: list[int]) -> str:
    """The id of the form control an error names: objects[2].area → obj-<row>-area."""
    if error_field.startswith("objects[") and "]." in error_field:
        index, _, name = error_field[len("objects[") :].partition("].")
        try:
            return f"obj-{sent_from[int(index)]}-{name}"
        except (ValueError, IndexError):
            return "obiekty"
    return error_field or ""


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def amount_grosze(text: str) -> int | None:
    """An amount typed in złoty ("16 900" or "16900,00") in grosze; None when empty, -1 when bad."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return -1
    if not value.is_finite() or value < 0:
        return -1
    return int(value * 100)
