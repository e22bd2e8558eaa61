"""Per-account choice of optional e-mails; no row means everything optional is on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from notify.db import Base


class Preferences(Base):
    __tablename__ = "notification_preferences"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    readings: Mapped[bool] = mapped_column(Boolean)
    documents: Mapped[bool] = mapped_column(Boolean)
    payments: Mapped[bool] = mapped_column(Boolean)
    reminders: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
