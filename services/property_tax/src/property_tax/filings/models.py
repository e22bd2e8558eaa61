"""Filings (IN-1 information, DN-1 declaration), their objects and co-owners."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from property_tax.db import Base


class Filing(Base):
    """Everything a taxpayer owns after an event; in force from the next month once confirmed."""

    __tablename__ = "filings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    payer_id: Mapped[str] = mapped_column(String(32), index=True)
    form: Mapped[str] = mapped_column(String(5))  # IN-1 | DN-1
    status: Mapped[str] = mapped_column(String(10), index=True)  # draft | confirmed | rejected
    event_date: Mapped[date] = mapped_column(Date)
    effective_from: Mapped[date] = mapped_column(Date)
    filed_on: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer, default=0)  # DN-1: the year declared
    declared_tax_grosze: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    filed_by: Mapped[str] = mapped_column(String(100), default="")
    by_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    objects: Mapped[list[TaxObject]] = relationship(
        back_populates="filing", order_by="TaxObject.position", lazy="selectin"
    )


class TaxObject(Base):
    """Land, a building (or part) or a structure, with the taxpayer's share."""

    __tablename__ = "tax_objects"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    filing_id: Mapped[str] = mapped_column(String(36), ForeignKey("filings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(30))
    location: Mapped[str] = mapped_column(String(300), default="")
    area: Mapped[Decimal] = mapped_column(Numeric(16, 4), default=Decimal(0))
    area_reduced: Mapped[Decimal] = mapped_column(Numeric(16, 4), default=Decimal(0))
    value_grosze: Mapped[int] = mapped_column(BigInteger, default=0)
    share_num: Mapped[int] = mapped_column(BigInteger, default=1)
    share_den: Mapped[int] = mapped_column(BigInteger, default=1)

    filing: Mapped[Filing] = relationship(back_populates="objects")
    co_owners: Mapped[list[CoOwner]] = relationship(order_by="CoOwner.position", lazy="selectin")

    @property
    def share(self) -> Fraction:
        return Fraction(self.share_num, self.share_den)


class CoOwner(Base):
    """Another co-owner of an object and their share (the shares of an object sum to 1)."""

    __tablename__ = "co_owners"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    object_id: Mapped[str] = mapped_column(String(36), ForeignKey("tax_objects.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    share_num: Mapped[int] = mapped_column(BigInteger)
    share_den: Mapped[int] = mapped_column(BigInteger)
