"""The payment schedule set by council resolution, per year (year 0: the default)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer
from sqlalchemy.orm import Mapped, mapped_column

from waste.db import Base


class Schedule(Base):
    """Installment dates and the months each pays for; the cottage lump-sum date."""

    __tablename__ = "schedules"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    cottage_month: Mapped[int] = mapped_column(Integer)
    cottage_day: Mapped[int] = mapped_column(Integer)
