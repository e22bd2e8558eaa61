"""Tables of accounts, their payer links, one-time links and failed logins."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from identity.db import Base

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


class Account(Base):
    """One login: a natural person, a company/institution, or staff (clerk, admin)."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # person | company | staff
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    state: Mapped[str] = mapped_column(sa.String(16), index=True)
    roles: Mapped[str] = mapped_column(sa.String(100), default="resident")  # space-separated
    language: Mapped[str] = mapped_column(sa.String(5), default="pl")
    first_name: Mapped[str] = mapped_column(sa.String(100), default="")
    last_name: Mapped[str] = mapped_column(sa.String(100), default="")
    pesel: Mapped[str | None] = mapped_column(sa.String(11), unique=True, nullable=True)
    company_name: Mapped[str] = mapped_column(sa.String(200), default="")
    nip: Mapped[str | None] = mapped_column(sa.String(10), nullable=True, index=True)
    regon: Mapped[str | None] = mapped_column(sa.String(14), nullable=True)
    representative: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(30), default="")
    street: Mapped[str] = mapped_column(sa.String(200), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(6), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = mapped_column(TS)
    activated_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    verified_by: Mapped[str] = mapped_column(sa.String(200), default="")
    document_type: Mapped[str] = mapped_column(sa.String(30), default="")
    suspended_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    state_before_suspension: Mapped[str] = mapped_column(sa.String(16), default="")
    failed_logins: Mapped[int] = mapped_column(sa.Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    totp_secret: Mapped[str] = mapped_column(sa.String(64), default="")
    totp_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    totp_last_step: Mapped[int] = mapped_column(_BIGINT, default=0)
    security_stamp: Mapped[str] = mapped_column(sa.String(32))
    # the password was set by someone else (create-user): the owner sets their own at next login
    must_change_password: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    last_login_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split() if r]

    @property
    def is_staff(self) -> bool:
        return bool({"clerk", "admin"} & set(self.role_list))

    @property
    def display_name(self) -> str:
        if self.kind == "company":
            return self.company_name
        return f"{self.first_name} {self.last_name}".strip()


class PayerLink(Base):
    """An account may see the data of this payer (kartoteka: the payer's records)."""

    __tablename__ = "payer_links"

    account_id: Mapped[str] = mapped_column(
        sa.String(36), sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    payer_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)
    linked_at: Mapped[datetime] = mapped_column(TS)
    linked_by: Mapped[str] = mapped_column(sa.String(36))


class OneTimeLink(Base):
    """A single-use, expiring link (activation or password reset); only its hash is kept."""

    __tablename__ = "one_time_links"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        sa.String(36), sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(sa.String(16))  # activation | reset
    created_at: Mapped[datetime] = mapped_column(TS)
    expires_at: Mapped[datetime] = mapped_column(TS)
    used_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)


class LoginFailure(Base):
    """A failed login from an address (throttling per address over a sliding window)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    client_address: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(TS, index=True)
