"""Assessments (a decision or a self-assessed declaration) and their installments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from property_tax.db import Base


class Assessment(Base):
    """The tax of a payer for a year as one decision (or declaration) set it.

    Version 1 is the yearly assessment; each later version is a change during the year and
    carries the whole new state (tax, months, installments), so the latest version rules.
    """

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("payer_id", "year", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    payer_id: Mapped[str] = mapped_column(String(32), index=True)
    year: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(12))  # decision | declaration
    version: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    from_month: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by: Mapped[str] = mapped_column(String(100), default="")
    tax_grosze: Mapped[int] = mapped_column(BigInteger)
    previous_tax_grosze: Mapped[int] = mapped_column(BigInteger, default=0)
    monthly: Mapped[list[str]] = mapped_column(JSON)  # 12 exact fractions "n/d" (grosze)
    objects: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the basis, for the document
    at_once: Mapped[bool] = mapped_column(Boolean, default=False)
    reduction_grosze: Mapped[int] = mapped_column(BigInteger, default=0)
    filing_id: Mapped[str] = mapped_column(String(36), default="")
    document: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    installments: Mapped[list[Installment]] = relationship(
        order_by="Installment.number", lazy="selectin"
    )


class Installment(Base):
    """One installment as the assessment sets it, and what it asked billing to charge."""

    __tablename__ = "installments"

    assessment_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("assessments.id"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(30))
    due_date: Mapped[date] = mapped_column(Date)
    amount_grosze: Mapped[int] = mapped_column(BigInteger)
    charged_grosze: Mapped[int] = mapped_column(BigInteger, default=0)
    idempotency_key: Mapped[str] = mapped_column(String(120), default="")
