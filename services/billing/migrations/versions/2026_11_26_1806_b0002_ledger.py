"""Ledgers, documents with numbering, payers with virtual accounts, payments, statements.

Revision ID: b0002
Revises: b0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "b0002"
down_revision = "b0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "allocations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("payer_id", sa.String(length=32), nullable=False),
        sa.Column("payment_id", sa.String(length=36), nullable=True),
        sa.Column("receivable_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount_grosze", sa.BigInteger(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("module", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocations")),
    )
    op.create_index(op.f("ix_allocations_payer_id"), "allocations", ["payer_id"], unique=False)
    op.create_index(op.f("ix_allocations_payment_id"), "allocations", ["payment_id"], unique=False)
    op.create_index(
        op.f("ix_allocations_receivable_id"), "allocations", ["receivable_id"], unique=False
    )
    op.create_table(
        "counters",
        sa.Column("series", sa.String(length=60), nullable=False),
        sa.Column("last_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_counters")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("payer_id", sa.String(length=32), nullable=False),
        sa.Column("module", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("charge_id", sa.String(length=36), nullable=True),
        sa.Column("corrects_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("gross_grosze", sa.BigInteger(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("number", name=op.f("uq_documents_number")),
    )
    op.create_index(op.f("ix_documents_charge_id"), "documents", ["charge_id"], unique=False)
    op.create_index(op.f("ix_documents_payer_id"), "documents", ["payer_id"], unique=False)
    op.create_table(
        "payers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("nip", sa.String(length=10), nullable=False),
        sa.Column("virtual_account", sa.String(length=26), nullable=False),
        sa.Column("credit_grosze", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payers")),
        sa.UniqueConstraint("number", name=op.f("uq_payers_number")),
        sa.UniqueConstraint("virtual_account", name=op.f("uq_payers_virtual_account")),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("payer_id", sa.String(length=32), nullable=False),
        sa.Column("amount_grosze", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("external_ref", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("charge_ids", sa.JSON(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("return_url", sa.String(length=500), nullable=False),
        sa.Column("redirect_url", sa.String(length=500), nullable=False),
        sa.Column("provider_order_id", sa.String(length=64), nullable=False),
        sa.Column("settle_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint(
            "provider", "external_ref", name=op.f("uq_payments_provider_external_ref")
        ),
    )
    op.create_index(op.f("ix_payments_payer_id"), "payments", ["payer_id"], unique=False)
    op.create_index(op.f("ix_payments_status"), "payments", ["status"], unique=False)
    op.create_table(
        "receivables",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("payer_id", sa.String(length=32), nullable=False),
        sa.Column("module", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("charge_id", sa.String(length=36), nullable=True),
        sa.Column("document_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_grosze", sa.BigInteger(), nullable=False),
        sa.Column("principal_paid_grosze", sa.BigInteger(), nullable=False),
        sa.Column("interest_owed_grosze", sa.BigInteger(), nullable=False),
        sa.Column("interest_paid_grosze", sa.BigInteger(), nullable=False),
        sa.Column("interest_from", sa.Date(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receivables")),
    )
    op.create_index(op.f("ix_receivables_charge_id"), "receivables", ["charge_id"], unique=False)
    op.create_index(
        "ix_receivables_module_due", "receivables", ["module", "due_date"], unique=False
    )
    op.create_index(
        "ix_receivables_payer_module", "receivables", ["payer_id", "module"], unique=False
    )
    op.create_table(
        "refunds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("payer_id", sa.String(length=32), nullable=False),
        sa.Column("amount_grosze", sa.BigInteger(), nullable=False),
        sa.Column("bank_account", sa.String(length=34), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("refunded_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    op.create_index(op.f("ix_refunds_payer_id"), "refunds", ["payer_id"], unique=False)
    op.create_table(
        "statement_lines",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("line_key", sa.String(length=64), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("amount_grosze", sa.BigInteger(), nullable=False),
        sa.Column("counterparty_name", sa.String(length=200), nullable=False),
        sa.Column("counterparty_account", sa.String(length=34), nullable=False),
        sa.Column("credited_account", sa.String(length=34), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("payer_id", sa.String(length=32), nullable=True),
        sa.Column("payment_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_lines")),
        sa.UniqueConstraint("line_key", name=op.f("uq_statement_lines_line_key")),
    )
    op.create_index(
        op.f("ix_statement_lines_statement_id"), "statement_lines", ["statement_id"], unique=False
    )
    op.create_index(op.f("ix_statement_lines_status"), "statement_lines", ["status"], unique=False)
    op.create_table(
        "statements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("lines_total", sa.Integer(), nullable=False),
        sa.Column("lines_new", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
    )
    op.create_table(
        "document_files",
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_files_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_files")),
    )


def downgrade() -> None:
    op.drop_table("document_files")
    op.drop_table("statements")
    op.drop_index(op.f("ix_statement_lines_status"), table_name="statement_lines")
    op.drop_index(op.f("ix_statement_lines_statement_id"), table_name="statement_lines")
    op.drop_table("statement_lines")
    op.drop_index(op.f("ix_refunds_payer_id"), table_name="refunds")
    op.drop_table("refunds")
    op.drop_index("ix_receivables_payer_module", table_name="receivables")
    op.drop_index("ix_receivables_module_due", table_name="receivables")
    op.drop_index(op.f("ix_receivables_charge_id"), table_name="receivables")
    op.drop_table("receivables")
    op.drop_index(op.f("ix_payments_status"), table_name="payments")
    op.drop_index(op.f("ix_payments_payer_id"), table_name="payments")
    op.drop_table("payments")
    op.drop_table("payers")
    op.drop_index(op.f("ix_documents_payer_id"), table_name="documents")
    op.drop_index(op.f("ix_documents_charge_id"), table_name="documents")
    op.drop_table("documents")
    op.drop_table("counters")
    op.drop_index(op.f("ix_allocations_receivable_id"), table_name="allocations")
    op.drop_index(op.f("ix_allocations_payment_id"), table_name="allocations")
    op.drop_index(op.f("ix_allocations_payer_id"), table_name="allocations")
    op.drop_table("allocations")
