"""The audit log table (append-only)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from identity.db import Base

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class AuditEntry(Base):
    """One recorded action with the state before and after (JSON)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    actor_id: Mapped[str] = mapped_column(sa.String(36))
    actor_name: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(60))
    account_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    client_address: Mapped[str] = mapped_column(sa.String(64), default="")
    before_json: Mapped[str] = mapped_column(sa.Text, default="{}")
    after_json: Mapped[str] = mapped_column(sa.Text, default="{}")
