"""Imported bank statements and their lines (matched, or waiting for a clerk)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class Statement(Base):
    """One imported file."""

    __tablename__ = "statements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str] = mapped_column(String(64))
    lines_total: Mapped[int] = mapped_column(Integer)
    lines_new: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    imported_by: Mapped[str] = mapped_column(String(100))


class StatementLine(Base):
    """A credit on the gmina's account; `line_key` makes a re-import book nothing twice."""

    __tablename__ = "statement_lines"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    line_key: Mapped[str] = mapped_column(String(64), unique=True)
    statement_id: Mapped[str] = mapped_column(String(36), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    booked_on: Mapped[date] = mapped_column(Date)
    amount_grosze: Mapped[int] = mapped_column(BigInteger)
    counterparty_name: Mapped[str] = mapped_column(String(200), default="")
    counterparty_account: Mapped[str] = mapped_column(String(34), default="")
    credited_account: Mapped[str] = mapped_column(String(34), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), index=True)  # matched | unmatched | assigned
    payer_id: Mapped[str | None] = mapped_column(String(32))
    payment_id: Mapped[str | None] = mapped_column(String(36))
