"""The structured invoice (FA(3) XML) of a document and its way through KSeF."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base

# failed: the XML could not be built (error says why; built again once the cause is fixed)
# ready: XML built and kept, not sent; sent: KSeF received it, its number not known yet
# accepted: KSeF number given; rejected: KSeF refused it (error says why)
STATUSES = ("failed", "ready", "sent", "accepted", "rejected")


class EInvoice(Base):
    """One per invoice or correction to a payer with a NIP; the XML never changes once built."""

    __tablename__ = "e_invoices"

    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20), index=True)
    xml: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    ksef_number: Mapped[str | None] = mapped_column(String(60))
    session_reference: Mapped[str | None] = mapped_column(String(60))
    invoice_reference: Mapped[str | None] = mapped_column(String(60))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
