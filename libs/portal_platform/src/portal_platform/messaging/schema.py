"""Outbox and inbox tables, added to each service's own metadata and migrations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import MetaData, Table

_BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _outbox_columns() -> list[Any]:
    return [
        sa.Column("id", _BIGINT_PK, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    ]


def _inbox_columns() -> list[Any]:
    return [
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _pending_index(table_name: str) -> dict[str, Any]:
    cond = sa.text("published_at IS NULL")
    return {"postgresql_where": cond, "sqlite_where": cond}


def messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Define `outbox` and `inbox` in a service's metadata."""
    outbox = Table("outbox", metadata, *_outbox_columns())
    sa.Index("ix_outbox_pending", outbox.c.id, **_pending_index("outbox"))
    inbox = Table("inbox", metadata, *_inbox_columns())
    return outbox, inbox


def create_messaging_tables(op: Any) -> None:
    """Alembic helper for a service's first migration."""
    op.create_table("outbox", *_outbox_columns())
    op.create_index("ix_outbox_pending", "outbox", ["id"], **_pending_index("outbox"))
    op.create_table("inbox", *_inbox_columns())


def drop_messaging_tables(op: Any) -> None:
    op.drop_table("inbox")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")
