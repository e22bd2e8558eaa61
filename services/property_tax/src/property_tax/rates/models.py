"""Statutory maxima per year and category (dated data) and the council's rates."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from property_tax.db import Base


class Maximum(Base):
    """The upper limit of a rate in a year, as announced by the Minister of Finance."""

    __tablename__ = "maxima"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(30), primary_key=True)
    max_grosze: Mapped[int] = mapped_column(BigInteger, default=0)
    max_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal(0))
    source: Mapped[str] = mapped_column(String(200), default="")
    set_by: Mapped[str] = mapped_column(String(100), default="")
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Rate(Base):
    """The rate the council set for a year and category (grosze per unit or percent)."""

    __tablename__ = "rates"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(30), primary_key=True)
    rate_grosze: Mapped[int] = mapped_column(BigInteger, default=0)
    rate_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal(0))
    resolution: Mapped[str] = mapped_column(String(200), default="")
    set_by: Mapped[str] = mapped_column(String(100), default="")
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
