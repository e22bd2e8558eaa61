"""The payer's ledger: amounts due (receivables), how payments were applied, refunds."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base

BIGINT_PK = BigInteger().with_variant(Integer(), "sqlite")


class Receivable(Base):
    """One amount due on one date: an installment of a charge or a reminder cost."""

    __tablename__ = "receivables"
    __table_args__ = (
        Index("ix_receivables_payer_module", "payer_id", "module"),
        Index("ix_receivables_module_due", "module", "due_date"),
    )

    id: Mapped[int] = mapped_column(BIGINT_PK, primary_key=True, autoincrement=True)
    payer_id: Mapped[str] = mapped_column(String(32))
    module: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))  # charge | reminder_cost
    charge_id: Mapped[str | None] = mapped_column(String(36), index=True)
    document_id: Mapped[str | None] = mapped_column(String(36))
    title: Mapped[str] = mapped_column(String(300))
    booked_on: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    amount_grosze: Mapped[int] = mapped_column(BigInteger)
    principal_paid_grosze: Mapped[int] = mapped_column(BigInteger, default=0)
    # interest fixed at the last payment and not paid yet; new interest runs from interest_from
    interest_owed_grosze: Mapped[int] = mapped_column(BigInteger, default=0)
    interest_paid_grosze: Mapped[int] = mapped_column(BigInteger, default=0)
    interest_from: Mapped[date] = mapped_column(Date)
    open: Mapped[bool] = mapped_column(default=True)
    reminded_on: Mapped[date | None] = mapped_column(Date)


class Allocation(Base):
    """Part of a payment (or credit, or correction) applied to a receivable or kept as credit."""

    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(BIGINT_PK, primary_key=True, autoincrement=True)
    payer_id: Mapped[str] = mapped_column(String(32), index=True)
    payment_id: Mapped[str | None] = mapped_column(String(36), index=True)
    receivable_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # principal | interest | reminder_cost | credit (kept) | credit_use | correction
    kind: Mapped[str] = mapped_column(String(20))
    amount_grosze: Mapped[int] = mapped_column(BigInteger)
    booked_on: Mapped[date] = mapped_column(Date)
    module: Mapped[str] = mapped_column(String(40), default="")


class Refund(Base):
    """Credit paid back to the payer on request (a clerk's action)."""

    __tablename__ = "refunds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    payer_id: Mapped[str] = mapped_column(String(32), index=True)
    amount_grosze: Mapped[int] = mapped_column(BigInteger)
    bank_account: Mapped[str] = mapped_column(String(34))
    reason: Mapped[str] = mapped_column(String(500))
    refunded_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
