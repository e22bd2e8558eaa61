"""Premises (points of supply), customer groups with their reading deadlines, meters."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from water.db import Base


class CustomerGroup(Base):
    """A customer group (household, seasonal, business): prices and deadlines hang on it."""

    __tablename__ = "customer_groups"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


class ReadingDeadline(Base):
    """A yearly reading deadline of a group (data, not code), e.g. households 30 June."""

    __tablename__ = "reading_deadlines"
    __table_args__ = (UniqueConstraint("group_code", "month", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_code: Mapped[str] = mapped_column(ForeignKey("customer_groups.code"), index=True)
    month: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))


class Premises(Base):
    """A point of supply at an address, billed to one payer (kartoteka)."""

    __tablename__ = "premises"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    payer_id: Mapped[str] = mapped_column(String(32), index=True)
    address: Mapped[str] = mapped_column(String(200))
    group_code: Mapped[str] = mapped_column(ForeignKey("customer_groups.code"), index=True)
    sewer: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    meters: Mapped[list[Meter]] = relationship(
        order_by="Meter.installed_on", lazy="selectin", back_populates="premises"
    )
    group: Mapped[CustomerGroup] = relationship(lazy="joined")


class Meter(Base):
    """One installation of a meter at a premises, from installation to removal."""

    __tablename__ = "meters"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    premises_id: Mapped[str] = mapped_column(ForeignKey("premises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # main | garden | sewage
    serial: Mapped[str] = mapped_column(String(40), index=True)
    installed_on: Mapped[date] = mapped_column(Date)
    initial_m3: Mapped[int] = mapped_column(Integer)
    removed_on: Mapped[date | None] = mapped_column(Date)
    final_m3: Mapped[int | None] = mapped_column(Integer)
    legalised_on: Mapped[date | None] = mapped_column(Date)
    digits: Mapped[int] = mapped_column(Integer, default=5)
    replaces_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    premises: Mapped[Premises] = relationship(back_populates="meters", lazy="raise")

    def active_on(self, day: date) -> bool:
        return self.installed_on <= day and (self.removed_on is None or self.removed_on > day)
