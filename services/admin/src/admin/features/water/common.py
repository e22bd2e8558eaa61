"""Shared helpers of the admin Woda screens: gRPC calls, rendering, formatting."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from admin.auth import CurrentClerk, require_clerk
from admin.clients import service_channel
from portal.common.v1 import common_pb2
from portal.water.v1 import water_pb2_grpc
from portal_platform.errors import InvalidArgument
from portal_platform.rpc.client import call

Clerk = Annotated[CurrentClerk, Depends(require_clerk)]
ASSETS = Path(__file__).parent / "assets"
KIND_LABELS = {"main": "główny", "garden": "ogrodowy", "sewage": "ścieków"}
COMPONENT_UNITS = {
    "water": ["m3"],
    "sewage": ["m3"],
    "abonament_water": ["month", "quarter", "period"],
    "abonament_sewage": ["month", "quarter", "period"],
    "abonament_garden": ["month", "quarter", "period"],
}
UNIT_LABELS = {"m3": "zł/m³", "month": "zł/mies.", "quarter": "zł/kwartał", "period": "zł/fakturę"}


async def water(request: Request, clerk: CurrentClerk, method: str, message: Any) -> Any:
    """Call WaterService.<method> with the clerk's token."""
    stub = water_pb2_grpc.WaterServiceStub(service_channel(request, "water"))
    return await call(getattr(stub, method), message, token=clerk.access_token, timeout=120)


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    ctx.setdefault("f", Format)
    response: Response = request.app.state.templates.TemplateResponse(
        request, name, ctx, status_code=status
    )
    return response


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


class Format:
    """Formatting used by the templates."""

    KIND_LABELS = KIND_LABELS
    UNIT_LABELS = UNIT_LABELS

    @staticmethod
    def zl(grosze: int) -> str:
        sign = "-" if grosze < 0 else ""
        whole, gr = divmod(abs(int(grosze)), 100)
        return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{gr:02d}\u00a0zł"

    @staticmethod
    def date(d: Any) -> str:
        return f"{d.day:02d}.{d.month:02d}.{d.year}" if d is not None and d.year else "—"

    @staticmethod
    def iso(d: Any) -> str:
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}" if d is not None and d.year else ""

    @staticmethod
    def qty(text: str) -> str:
        return (text or "0").replace(".", ",")
