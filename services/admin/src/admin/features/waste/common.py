"""Shared helpers of the admin Odpady screens: gRPC calls, rendering, form parsing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from admin.auth import CurrentClerk, require_clerk
from admin.clients import service_channel
from portal.common.v1 import common_pb2
from portal.waste.v1 import waste_pb2_grpc
from portal_platform.errors import InvalidArgument
from portal_platform.rpc.client import call

Clerk = Annotated[CurrentClerk, Depends(require_clerk)]
METHOD_LABELS = {
    "per_resident": "od liczby mieszkańców (zł/os./mies.)",
    "per_water_m3": "od zużycia wody (zł/m³)",
    "per_area_m2": "od powierzchni lokalu (zł/m²/mies.)",
    "per_household": "od gospodarstwa domowego (zł/mies.)",
    "per_bin": "od pojemnika 120 l × odbiorów (zł/odbiór)",
    "cottage": "ryczałt za domek letniskowy (zł/rok)",
    "none": "brak obowiązku (wyprowadzka, sprzedaż)",
}
KIND_LABELS = {
    "single_family": "zabudowa jednorodzinna",
    "multi_family": "zabudowa wielolokalowa",
    "non_residential": "nieruchomość niezamieszkała",
    "cottage": "domek letniskowy / rekreacyjna",
}
STATUS_LABELS = {"draft": "do potwierdzenia", "confirmed": "przyjęta", "rejected": "odrzucona"}
INPUT_FIELDS = (
    "method", "residents", "area_m2", "households", "bins", "collections_per_month",
    "water_m3_month", "water_premises_id",
)  # fmt: skip


async def waste(request: Request, clerk: CurrentClerk, method: str, message: Any) -> Any:
    """Call WasteService.<method> with the clerk's token."""
    stub = waste_pb2_grpc.WasteServiceStub(service_channel(request, "waste"))
    return await call(getattr(stub, method), message, token=clerk.access_token, timeout=600)


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    ctx.setdefault("f", Format)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, name, ctx, status_code=status
    )


def pb_date(text: str, field: str, *, required: bool = False) -> common_pb2.Date | None:
    """A date typed in a form (RRRR-MM-DD) as protobuf; a clear error naming the field."""
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
    """An amount typed in złoty ("37,00") as grosze; a clear error naming the field."""
    cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not cleaned:
        return 0
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidArgument("Podaj kwotę w złotych, np. 37,00.", field=field) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise InvalidArgument("Podaj kwotę z dokładnością do grosza.", field=field)
    return int(value * 100)


def year_of(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


class Format:
    """Formatting used by the templates."""

    METHOD_LABELS = METHOD_LABELS
    KIND_LABELS = KIND_LABELS
    STATUS_LABELS = STATUS_LABELS

    @staticmethod
    def zl(grosze: int) -> str:
        sign = "-" if grosze < 0 else ""
        whole, gr = divmod(abs(int(grosze)), 100)
        return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{gr:02d}\u00a0zł"

    @staticmethod
    def amount(grosze: int) -> str:
        whole, gr = divmod(int(grosze), 100)
        return f"{whole},{gr:02d}"

    @staticmethod
    def date(d: Any) -> str:
        return f"{d.day:02d}.{d.month:02d}.{d.year}" if d is not None and d.year else "—"

    @staticmethod
    def month(d: Any) -> str:
        return f"{d.month:02d}.{d.year}" if d is not None and d.year else "—"

    @staticmethod
    def summary(v: Any) -> str:
        i = v.input
        parts = [METHOD_LABELS.get(i.method, i.method).split(" (")[0]]
        for label, value in (
            ("mieszk.", i.residents), ("m²", i.area_m2), ("gosp.", i.households),
            ("pojemn.", i.bins), ("odbiorów/mies.", i.collections_per_month),
            ("m³/mies.", i.water_m3_month),
        ):  # fmt: skip
            if value:
                parts.append(f"{label} {value}")
        if i.composting:
            parts.append("kompostownik")
        if i.not_sorting:
            parts.append("bez segregacji")
        return ", ".join(parts)
