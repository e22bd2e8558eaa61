"""Charges booked in a payer's ledger and their lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from billing.db import Base


class Charge(Base):
    """One amount owed by a payer, requested by a module (water, waste, ...)."""

    __tablename__ = "charges"
    __table_args__ = (UniqueConstraint("module", "idempotency_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    payer_id: Mapped[str] = mapped_column(String(32), index=True)
    module: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    document_kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    net_grosze: Mapped[int] = mapped_column(BigInteger)
    vat_grosze: Mapped[int] = mapped_column(BigInteger)
    gross_grosze: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[date | None] = mapped_column(Date)
    due_dates: Mapped[list[Any]] = mapped_column(JSON)
    event_id: Mapped[str] = mapped_column(String(36))
    booked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    lines: Mapped[list[ChargeLine]] = relationship(
        order_by="ChargeLine.position", lazy="selectin", cascade="all, delete-orphan"
    )


class ChargeLine(Base):
    """A line of a charge: quantity × unit net price, VAT, gross; optional period."""

    __tablename__ = "charge_lines"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    charge_id: Mapped[str] = mapped_column(ForeignKey("charges.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(20))
    unit_net_grosze: Mapped[int] = mapped_column(BigInteger)
    net_grosze: Mapped[int] = mapped_column(BigInteger)
    vat_rate: Mapped[str] = mapped_column(String(8))
    vat_grosze: Mapped[int] = mapped_column(BigInteger)
    gross_grosze: Mapped[int] = mapped_column(BigInteger)
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
