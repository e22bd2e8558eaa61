"""Charges intake: charges, their lines, outbox and inbox.

Revision ID: b0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from portal_platform.messaging.schema import create_messaging_tables, drop_messaging_tables

revision = "b0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op)
    op.create_table(
        "charges",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("payer_id", sa.String(32), nullable=False),
        sa.Column("module", sa.String(40), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("document_kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("net_grosze", sa.BigInteger(), nullable=False),
        sa.Column("vat_grosze", sa.BigInteger(), nullable=False),
        sa.Column("gross_grosze", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_dates", sa.JSON(), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("module", "idempotency_key", name="uq_charges_module_idempotency_key"),
    )
    op.create_index("ix_charges_payer_id", "charges", ["payer_id"])
    op.create_table(
        "charge_lines",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column(
            "charge_id",
            sa.String(36),
            sa.ForeignKey(
                "charges.id", name="fk_charge_lines_charge_id_charges", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("quantity", sa.Numeric(14, 3), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("unit_net_grosze", sa.BigInteger(), nullable=False),
        sa.Column("net_grosze", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.String(8), nullable=False),
        sa.Column("vat_grosze", sa.BigInteger(), nullable=False),
        sa.Column("gross_grosze", sa.BigInteger(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=True),
        sa.Column("period_to", sa.Date(), nullable=True),
    )
    op.create_index("ix_charge_lines_charge_id", "charge_lines", ["charge_id"])


def downgrade() -> None:
    op.drop_table("charge_lines")
    op.drop_table("charges")
    drop_messaging_tables(op)
