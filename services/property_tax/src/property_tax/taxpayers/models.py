"""A taxpayer: the payer's kartoteka as a natural person (decisions) or a legal person (DN-1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from property_tax.db import Base


class Taxpayer(Base):
    """Who pays: kind person (IN-1 → decision) or company (DN-1 → self-assessment)."""

    __tablename__ = "taxpayers"

    payer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    identifier: Mapped[str] = mapped_column(String(20), default="")  # PESEL or NIP
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
