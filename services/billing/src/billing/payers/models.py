"""Payers (kartoteki: a payer's account card in the gmina) with their virtual bank accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class Payer(Base):
    """Whoever owes the gmina: a person, company or community; numbered for its account."""

    __tablename__ = "payers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    nip: Mapped[str] = mapped_column(String(10), default="")
    virtual_account: Mapped[str] = mapped_column(String(26), unique=True)
    credit_grosze: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
