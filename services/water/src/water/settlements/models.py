"""Settlements: the invoice of one period, from an accepted or an estimated reading."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from water.db import Base


class Settlement(Base):
    """An invoice of water and sewage for a period, requested from billing once."""

    __tablename__ = "settlements"
    __table_args__ = (Index("ix_settlements_premises_period", "premises_id", "period_to"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    premises_id: Mapped[str] = mapped_column(ForeignKey("premises.id"))
    payer_id: Mapped[str] = mapped_column(String(32), index=True)
    reading_id: Mapped[str] = mapped_column(ForeignKey("readings.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # actual | estimated
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    water_m3: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    garden_m3: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    sewage_m3: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    net_grosze: Mapped[int] = mapped_column(BigInteger)
    vat_grosze: Mapped[int] = mapped_column(BigInteger)
    gross_grosze: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # meter id → counter at period_to: where the next actual settlement starts
    end_values: Mapped[dict[str, int]] = mapped_column(JSON)
    title: Mapped[str] = mapped_column(String(300))
    settled_by_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
