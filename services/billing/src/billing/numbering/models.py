"""Counters: one row per numbering series, locked while a number is taken (no gaps)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class Counter(Base):
    """The last number used in a series, e.g. `FV/W/2026/06` or `payer`."""

    __tablename__ = "counters"

    series: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_number: Mapped[int] = mapped_column(BigInteger, default=0)
