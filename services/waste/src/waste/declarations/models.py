"""A declaration per property and payer, and its versions (each applies from a month)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from waste.db import Base


class Declaration(Base):
    """The declaration of one payer for one property; its content lives in versions."""

    __tablename__ = "declarations"
    __table_args__ = (UniqueConstraint("property_id", "payer_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    property_id: Mapped[str] = mapped_column(ForeignKey("properties.id"), index=True)
    payer_id: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeclarationVersion(Base):
    """One filed version: a resident's draft, or confirmed (from paper or by a clerk)."""

    __tablename__ = "declaration_versions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    declaration_id: Mapped[str] = mapped_column(ForeignKey("declarations.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # draft | confirmed | rejected
    source: Mapped[str] = mapped_column(String(12))  # resident | clerk
    method: Mapped[str] = mapped_column(String(20))
    residents: Mapped[int] = mapped_column(Integer, default=0)
    area_m2: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))
    households: Mapped[int] = mapped_column(Integer, default=0)
    bins: Mapped[int] = mapped_column(Integer, default=0)
    collections_per_month: Mapped[int] = mapped_column(Integer, default=0)
    water_m3_month: Mapped[Decimal | None] = mapped_column(Numeric(10, 3), nullable=True)
    water_premises_id: Mapped[str] = mapped_column(String(40), default="")
    composting: Mapped[bool] = mapped_column(Boolean, default=False)
    not_sorting: Mapped[bool] = mapped_column(Boolean, default=False)
    change_date: Mapped[date] = mapped_column(Date)
    applies_from: Mapped[date] = mapped_column(Date)
    filed_on: Mapped[date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(500), default="")
    filed_by: Mapped[str] = mapped_column(String(100), default="")
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rejection_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
