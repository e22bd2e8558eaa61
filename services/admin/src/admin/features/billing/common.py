"""Shared helpers of the admin Rozliczenia screens: gRPC calls, rendering, form parsing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from admin.auth import CurrentClerk, require_clerk
from admin.clients import service_channel
from portal.billing.v1 import billing_pb2_grpc
from portal.common.v1 import common_pb2
from portal_platform.errors import InvalidArgument
from portal_platform.rpc.client import call

Clerk = Annotated[CurrentClerk, Depends(require_clerk)]
KINDS = {
    1: "Faktura VAT",
    2: "Zawiadomienie",
    3: "Decyzja",
    4: "Rata",
    5: "Upomnienie",
    6: "Faktura korygująca",
    7: "Pismo",
}
PAYMENT_STATUS = {
    "started": "rozpoczęta",
    "in_progress": "w trakcie",
    "settled": "zaksięgowana",
    "failed": "nieudana",
}
# FA(3) structured invoice of a document (billing's Document.ksef_status)
KSEF_STATUS = {
    "pending": "XML jeszcze nie utworzony",
    "failed": "błąd FA(3)",
    "ready": "XML gotowy, nie wysłany do KSeF",
    "sent": "wysłany do KSeF, czeka na numer",
    "accepted": "przyjęty w KSeF",
    "rejected": "odrzucony przez KSeF",
    "before_since": "nie dotyczy (przed BILLING_KSEF_SINCE)",
}
ENTRY_KINDS = {
    "charge": "należność",
    "interest": "odsetki",
    "reminder_cost": "koszty upomnienia",
    "payment": "wpłata",
    "correction": "korekta",
    "refund": "zwrot",
}


async def billing(request: Request, clerk: CurrentClerk, method: str, message: Any) -> Any:
    """Call BillingService.<method> with the clerk's token."""
    stub = billing_pb2_grpc.BillingServiceStub(service_channel(request, "billing"))
    return await call(getattr(stub, method), message, token=clerk.access_token, timeout=600)


def zl(grosze: int) -> str:
    sign = "-" if grosze < 0 else ""
    whole, gr = divmod(abs(grosze), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{gr:02d}\u00a0zł"


def plain(grosze: int) -> str:
    """`123456` → `1234,56` (CSV for spreadsheets)."""
    whole, gr = divmod(abs(grosze), 100)
    return f"{'-' if grosze < 0 else ''}{whole},{gr:02d}"


def day(d: Any) -> str:
    return f"{d.day:02d}.{d.month:02d}.{d.year}" if d is not None and d.year else "—"


def iso(d: Any) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}" if d is not None and d.year else ""


def nrb(account: str) -> str:
    return (
        account[:2] + " " + " ".join(account[i : i + 4] for i in range(2, 26, 4)) if account else ""
    )


HELPERS = {
    "zl": zl,
    "day": day,
    "nrb": nrb,
    "KINDS": KINDS,
    "PAYMENT_STATUS": PAYMENT_STATUS,
    "ENTRY_KINDS": ENTRY_KINDS,
    "KSEF_STATUS": KSEF_STATUS,
}


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    response: Response = request.app.state.templates.TemplateResponse(
        request, f"billing/{name}", {**HELPERS, **ctx}, status_code=status
    )
    return response


def pb_date(text: str, field: str) -> common_pb2.Date | None:
    """A date typed in a form (RRRR-MM-DD) as protobuf; a clear error naming the field."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument("Podaj datę w formacie RRRR-MM-DD.", field=field) from None
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


def grosze(text: str, field: str, *, required: bool = True) -> int:
    """An amount typed in złoty ("37,00") as grosze; wrong precision is refused, naming the field."""
    cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not cleaned:
        if required:
            raise InvalidArgument("Podaj kwotę w złotych, np. 37,00.", field=field)
        return 0
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidArgument("Podaj kwotę w złotych, np. 37,00.", field=field) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise InvalidArgument(
            "Podaj kwotę z dokładnością do grosza (dwa miejsca po przecinku).", field=field
        )
    return int(value * 100)
