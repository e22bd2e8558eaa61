"""Structured invoices (FA(3) XML) of documents and their KSeF status.

Revision ID: b0003
Revises: b0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "b0003"
down_revision = "b0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "e_invoices",
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("xml", sa.LargeBinary(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("ksef_number", sa.String(length=60), nullable=True),
        sa.Column("session_reference", sa.String(length=60), nullable=True),
        sa.Column("invoice_reference", sa.String(length=60), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_e_invoices_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_e_invoices")),
    )
    op.create_index(op.f("ix_e_invoices_status"), "e_invoices", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_e_invoices_status"), table_name="e_invoices")
    op.drop_table("e_invoices")
