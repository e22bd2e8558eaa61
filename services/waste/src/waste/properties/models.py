"""A property (nieruchomość) and its payer (the owner, or a cooperative for blocks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from waste.db import Base

KINDS = ("single_family", "multi_family", "non_residential", "cottage")


class Property(Base):
    """A property the waste fee is paid for."""

    __tablename__ = "properties"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    payer_id: Mapped[str] = mapped_column(String(32), index=True)
    address: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
