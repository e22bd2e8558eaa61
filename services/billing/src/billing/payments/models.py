"""Payments: online (in progress until settled), from bank statements, cash at the office."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class Payment(Base):
    """Money from a payer; booked (allocated) only once settled."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("provider", "external_ref"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    payer_id: Mapped[str] = mapped_column(String(32), index=True)
    amount_grosze: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(20))  # online | statement | cash
    provider: Mapped[str] = mapped_column(String(20))  # sandbox | przelewy24 | bank | office
    # the provider's session id or the statement line key: a repeat books nothing
    external_ref: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(
        String(20), index=True
    )  # started|in_progress|settled|failed
    title: Mapped[str] = mapped_column(String(300), default="")
    charge_ids: Mapped[list[Any]] = mapped_column(JSON)
    paid_on: Mapped[date | None] = mapped_column(Date)
    return_url: Mapped[str] = mapped_column(String(500), default="")
    redirect_url: Mapped[str] = mapped_column(String(500), default="")
    provider_order_id: Mapped[str] = mapped_column(String(64), default="")
    settle_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
