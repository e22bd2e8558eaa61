"""Readings (one odczyt of a premises on a date) and their values per meter installation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from water.db import Base

PK = BigInteger().with_variant(Integer(), "sqlite")


class Reading(Base):
    """A reading of a premises: submitted, then verified by a clerk, then invoiced."""

    __tablename__ = "readings"
    __table_args__ = (
        Index("ix_readings_status_created", "status", "created_at"),
        Index("ix_readings_premises_date", "premises_id", "reading_date"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    premises_id: Mapped[str] = mapped_column(ForeignKey("premises.id"))
    payer_id: Mapped[str] = mapped_column(String(32), index=True)
    reading_date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(12))  # customer | clerk | estimated | replacement
    status: Mapped[str] = mapped_column(String(12))  # pending | accepted | corrected | ...
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_note: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    idempotency_token: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str] = mapped_column(String(80), default="")
    settlement_id: Mapped[str | None] = mapped_column(String(36))

    values: Mapped[list[ReadingValue]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ReadingValue.id"
    )


class ReadingValue(Base):
    """The counter of one meter installation in a reading (whole m³)."""

    __tablename__ = "reading_values"
    __table_args__ = (UniqueConstraint("reading_id", "meter_id"),)

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    reading_id: Mapped[str] = mapped_column(ForeignKey("readings.id"), index=True)
    meter_id: Mapped[str] = mapped_column(ForeignKey("meters.id"), index=True)
    value_m3: Mapped[int] = mapped_column(BigInteger)
    submitted_m3: Mapped[int] = mapped_column(BigInteger)
    previous_m3: Mapped[int] = mapped_column(BigInteger, default=0)  # the counter it started from
    rollover: Mapped[bool] = mapped_column(Boolean, default=False)
