"""The reminder schedule (data, not code) and the reminders already sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from notify.db import Base

READING = "reading"
PAYMENT = "payment"


class ReminderRule(Base):
    """Remind `offset_days` before a deadline of `kind` (reading; payment of a module = scope)."""

    __tablename__ = "reminder_schedule"
    __table_args__ = (UniqueConstraint("kind", "scope", "offset_days"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(40))
    offset_days: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)


class ReminderSent(Base):
    """One reminder given: a second run (or a restart) finds the key and sends nothing."""

    __tablename__ = "reminders_sent"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    payer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    deadline: Mapped[date] = mapped_column(Date, primary_key=True)
    offset_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    mails: Mapped[int] = mapped_column(Integer)
