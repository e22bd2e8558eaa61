"""Outbox and inbox of property tax.

Revision ID: t0001
Revises:
Create Date: 2026-11-26
"""

from alembic import op

from portal_platform.messaging.schema import create_messaging_tables, drop_messaging_tables

revision = "t0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op)


def downgrade() -> None:
    drop_messaging_tables(op)
