"""Shared helpers of the admin Podatki screens: gRPC calls, rendering, form parsing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import Response

from admin.auth import CurrentClerk, require_clerk
from admin.clients import service_channel
from portal.common.v1 import common_pb2
from portal.property_tax.v1 import property_tax_pb2 as pb
from portal.property_tax.v1 import property_tax_pb2_grpc
from portal_platform.errors import InvalidArgument
from portal_platform.rpc.client import call

Clerk = Annotated[CurrentClerk, Depends(require_clerk)]
WARSAW = ZoneInfo("Europe/Warsaw")
OBJECT_FIELDS = ("category", "location", "area", "area_reduced", "value", "share", "co_owners")
STATUS_LABELS = {"draft": "do sprawdzenia", "confirmed": "przyjęte", "rejected": "odrzucone"}
KIND_LABELS = {"person": "osoba fizyczna", "company": "osoba prawna / firma"}


def today() -> date:
    return datetime.now(WARSAW).date()


async def tax(
    request: Request, clerk: CurrentClerk, method: str, message: Any, timeout: float = 60
) -> Any:
    """Call PropertyTaxService.<method> with the clerk's token."""
    stub = property_tax_pb2_grpc.PropertyTaxServiceStub(service_channel(request, "property_tax"))
    return await call(getattr(stub, method), message, token=clerk.access_token, timeout=timeout)


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    ctx.setdefault("f", Format)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, f"property_tax/{name}", ctx, status_code=status
    )


def pb_date(text: str, field: str, *, required: bool = False) -> common_pb2.Date | None:
    text = (text or "").strip()
    if not text:
        if required:
            raise InvalidArgument("Podaj datę.", field=field)
        return None
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument("Podaj datę w formacie RRRR-MM-DD.", field=field) from None
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


def grosze(text: str, field: str) -> int:
    """An amount typed in złoty ("1,25") as grosze; a clear error naming the field."""
    cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not cleaned:
        raise InvalidArgument("Podaj kwotę w złotych, np. 1,25.", field=field)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidArgument("Podaj kwotę w złotych, np. 1,25.", field=field) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise InvalidArgument("Podaj kwotę z dokładnością do grosza.", field=field)
    return int(value * 100)


def year_of(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


def parse_co_owners(text: str) -> list[pb.CoOwner]:
    """One co-owner per line: "Anna Nowak 1/2" (the share is the last word)."""
    out = []
    for line in text.splitlines():
        words = line.split()
        if words:
            share = words[-1] if any(ch.isdigit() for ch in words[-1]) else ""
            out.append(pb.CoOwner(name=" ".join(words[:-1] if share else words), share=share))
    return out


def parse_rows(form: Any, count: int) -> tuple[list[dict[str, str]], list[int], list[pb.TaxObject]]:
    """The typed rows, the row of each object sent, and the objects (empty rows skipped)."""
    rows, sent_from, objects = [], [], []
    for i in range(count):
        row = {k: str(form.get(f"obj-{i}-{k}", "")).strip() for k in OBJECT_FIELDS}
        rows.append(row)
        if not any(row.values()):
            continue
        sent_from.append(i)
        objects.append(
            pb.TaxObject(
                category=row["category"], location=row["location"], area=row["area"],
                area_reduced=row["area_reduced"], value=row["value"], share=row["share"],
                co_owners=parse_co_owners(row["co_owners"]),
            )
        )  # fmt: skip
    return rows, sent_from, objects


def rows_from(objects: Any, extra: int = 3) -> list[dict[str, str]]:
    rows = [
        {"category": o.category, "location": o.location, "area": o.area.replace(".", ","),
         "area_reduced": o.area_reduced.replace(".", ","), "value": o.value.replace(".", ","),
         "share": "" if o.share == "1" else o.share,
         "co_owners": "\n".join(f"{c.name} {c.share}" for c in o.co_owners)}
        for o in objects
    ]  # fmt: skip
    return rows + [dict.fromkeys(OBJECT_FIELDS, "") for _ in range(extra)]


def field_id(error_field: str, sent_from: list[int]) -> str:
    """The form control an error names: objects[2].area → obj-<row>-area."""
    if error_field.startswith("objects[") and "]." in error_field:
        index, _, name = error_field[len("objects[") :].partition("].")
        try:
            return f"obj-{sent_from[int(index)]}-{name}"
        except (ValueError, IndexError):
            return "obiekty"
    return error_field


class Format:
    """Formatting used by the templates."""

    STATUS_LABELS = STATUS_LABELS
    KIND_LABELS = KIND_LABELS

    @staticmethod
    def zl(grosze: int) -> str:
        sign = "-" if grosze < 0 else ""
        whole, gr = divmod(abs(int(grosze)), 100)
        return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{gr:02d}\u00a0zł"

    @staticmethod
    def date(d: Any) -> str:
        return f"{d.day:02d}.{d.month:02d}.{d.year}" if d is not None and d.year else "—"

    @staticmethod
    def pct(text: str) -> str:
        return f"{text.replace('.', ',')}%" if text else "—"

    @staticmethod
    def rate(r: Any, which: str = "rate") -> str:
        if r.unit == "value":
            return Format.pct(getattr(r, f"{which}_percent"))
        value = getattr(r, f"{which}_grosze")
        return f"{Format.zl(value)}/{r.unit}" if value else "—"

    @staticmethod
    def base(o: Any) -> str:
        if o.value:
            return f"{o.value.replace('.', ',')} zł"
        low = f" + {o.area_reduced.replace('.', ',')} m² × 50%" if o.area_reduced else ""
        return f"{o.area.replace('.', ',')}{low}"
