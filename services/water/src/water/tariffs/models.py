"""Tariff prices: a dated net price per customer group and component."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from water.db import Base


class TariffPrice(Base):
    """Net price in grosze per unit, valid from/to (inclusive; open-ended when valid_to is null)."""

    __tablename__ = "tariff_prices"
    __table_args__ = (Index("ix_tariff_prices_group_component", "group_code", "component"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    group_code: Mapped[str] = mapped_column(ForeignKey("customer_groups.code"))
    component: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(10))
    net_grosze: Mapped[int] = mapped_column(BigInteger)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(80), default="")
