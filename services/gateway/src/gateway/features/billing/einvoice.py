"""A company's structured invoice (FA(3) XML, KSeF): when it is offered, fetching it from billing."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi.responses import Response

from gateway.web.i18n import N_
from portal.billing.v1 import billing_pb2
from portal_platform.errors import DomainError, NotFound
from portal_platform.rpc.client import call

# billing's Document.ksef_status where the XML is, or can be, the invoice in KSeF; not offered:
# none (a consumer's document, a notice), failed, rejected by KSeF, or issued before KSeF
# (before_since) — for those the PDF is the invoice
OFFERED = frozenset({"pending", "ready", "sent", "accepted"})
NOT_YET = N_(
    "Faktura ustrukturyzowana tej korekty będzie dostępna, gdy faktura korygowana otrzyma numer "
    "w KSeF."
)
UNAVAILABLE = N_(
    "Nie udało się przygotować faktury ustrukturyzowanej tego dokumentu. Pobierz PDF albo "
    "skontaktuj się z urzędem."
)


def offered(doc: Any) -> bool:
    """Whether the document's row links to its FA(3) XML (read from ListDocuments, no call)."""
    return doc.ksef_status in OFFERED


async def fetch(stub: Any, document_id: str, token: str) -> Any:
    """The FA(3) XML from billing, which authorises it.

    Another payer's document, a missing one and one that has no XML are all NotFound; an XML
    that cannot be made now is a DomainError with a message for the resident, not billing's.
    """
    try:
        return await call(
            stub.GetStructuredInvoice,
            billing_pb2.GetStructuredInvoiceRequest(document_id=document_id),
            token=token,
        )
    except DomainError as exc:
        if exc.code == "einvoice.not_applicable":
            raise NotFound(exc.message, field="document_id") from None
        if exc.code == "einvoice.not_yet":
            raise DomainError(NOT_YET, code=exc.code, field="document_id") from None
        if exc.code == "einvoice.invalid":
            raise DomainError(UNAVAILABLE, code=exc.code, field="document_id") from None
        raise


def xml_response(file: Any) -> Response:
    """The XML as a download, never cached."""
    name = quote(file.filename or "faktura_FA3.xml")
    return Response(
        file.content,
        media_type="application/xml",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            "Cache-Control": "private, no-store",
        },
    )
