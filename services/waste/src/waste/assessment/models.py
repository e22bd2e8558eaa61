"""Installments assessed for a declaration and the charges sent to billing for them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from waste.db import Base


class Installment(Base):
    """One installment of a year (1..4; 0 = cottage lump sum) with its current amount."""

    __tablename__ = "installments"
    __table_args__ = (UniqueConstraint("declaration_id", "year", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    declaration_id: Mapped[str] = mapped_column(ForeignKey("declarations.id"))
    payer_id: Mapped[str] = mapped_column(String(32), index=True)
    property_id: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer, index=True)
    number: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    amount_grosze: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InstallmentCharge(Base):
    """A charge requested from billing for an installment: the installment or a correction."""

    __tablename__ = "installment_charges"

    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    installment_id: Mapped[str] = mapped_column(ForeignKey("installments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # installment | correction
    amount_grosze: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[date] = mapped_column(Date)
    cause: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AssessmentRun(Base):
    """A year whose annual assessment ran; later changes are recalculated against it."""

    __tablename__ = "assessment_runs"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first_run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    run_by: Mapped[str] = mapped_column(String(100), default="")
