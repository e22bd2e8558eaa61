"""Rates set by the council per year and method, and the statutory caps by date."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, DateTime, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from waste.db import Base


class Rate(Base):
    """A rate of one method for a year, valid from a month (a resolution may change it)."""

    __tablename__ = "rates"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    method: Mapped[str] = mapped_column(String(20), primary_key=True)
    valid_from_month: Mapped[int] = mapped_column(Integer, primary_key=True)
    rate_grosze: Mapped[int] = mapped_column(BigInteger)
    compost_discount_grosze: Mapped[int] = mapped_column(BigInteger, default=0)
    non_sorting_multiplier: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    set_by: Mapped[str] = mapped_column(String(100), default="")
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Caps(Base):
    """Statutory maximum rates in force from a date (announced yearly, indexed)."""

    __tablename__ = "caps"

    valid_from: Mapped[date] = mapped_column(Date, primary_key=True)
    base_grosze: Mapped[int] = mapped_column(BigInteger)
    per_resident_grosze: Mapped[int] = mapped_column(BigInteger)
    per_water_m3_grosze: Mapped[int] = mapped_column(BigInteger)
    per_water_household_grosze: Mapped[int] = mapped_column(BigInteger)
    per_area_m2_grosze: Mapped[int] = mapped_column(BigInteger)
    per_household_grosze: Mapped[int] = mapped_column(BigInteger)
    per_bin_grosze: Mapped[int] = mapped_column(BigInteger)
    cottage_grosze: Mapped[int] = mapped_column(BigInteger)
