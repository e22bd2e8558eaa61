"""Waste domain: properties, declarations and versions, rates, caps, schedule, installments.

Revision ID: o0002
Revises: o0001
Create Date: 2026-11-26
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "o0002"
down_revision = "o0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
DEFAULT_SCHEDULE = [
    {"number": 1, "month": 3, "day": 15, "months_from": 1, "months_to": 3},
    {"number": 2, "month": 5, "day": 15, "months_from": 4, "months_to": 6},
    {"number": 3, "month": 9, "day": 15, "months_from": 7, "months_to": 9},
    {"number": 4, "month": 11, "day": 15, "months_from": 10, "months_to": 12},
]


def upgrade() -> None:
    op.create_table(
        "properties",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("payer_id", sa.String(32), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_properties_payer_id", "properties", ["payer_id"])
    op.create_table(
        "declarations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "property_id",
            sa.String(40),
            sa.ForeignKey("properties.id", name="fk_declarations_property_id_properties"),
            nullable=False,
        ),
        sa.Column("payer_id", sa.String(32), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("property_id", "payer_id", name="uq_declarations_property_id_payer_id"),
    )
    op.create_index("ix_declarations_property_id", "declarations", ["property_id"])
    op.create_index("ix_declarations_payer_id", "declarations", ["payer_id"])
    op.create_table(
        "declaration_versions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "declaration_id",
            sa.String(36),
            sa.ForeignKey(
                "declarations.id", name="fk_declaration_versions_declaration_id_declarations"
            ),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("residents", sa.Integer(), nullable=False),
        sa.Column("area_m2", sa.Numeric(10, 2), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("bins", sa.Integer(), nullable=False),
        sa.Column("collections_per_month", sa.Integer(), nullable=False),
        sa.Column("water_m3_month", sa.Numeric(10, 3), nullable=True),
        sa.Column("water_premises_id", sa.String(40), nullable=False),
        sa.Column("composting", sa.Boolean(), nullable=False),
        sa.Column("not_sorting", sa.Boolean(), nullable=False),
        sa.Column("change_date", sa.Date(), nullable=False),
        sa.Column("applies_from", sa.Date(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("filed_by", sa.String(100), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("rejection_reason", sa.String(500), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index(
        "ix_declaration_versions_declaration_id", "declaration_versions", ["declaration_id"]
    )
    op.create_table(
        "rates",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("method", sa.String(20), primary_key=True),
        sa.Column("valid_from_month", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("rate_grosze", sa.BigInteger(), nullable=False),
        sa.Column("compost_discount_grosze", sa.BigInteger(), nullable=False),
        sa.Column("non_sorting_multiplier", sa.Numeric(4, 2), nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", TZ, nullable=False),
    )
    caps = op.create_table(
        "caps",
        sa.Column("valid_from", sa.Date(), primary_key=True),
        sa.Column("base_grosze", sa.BigInteger(), nullable=False),
        sa.Column("per_resident_grosze", sa.BigInteger(), nullable=False),
        sa.Column("per_water_m3_grosze", sa.BigInteger(), nullable=False),
        sa.Column("per_water_household_grosze", sa.BigInteger(), nullable=False),
        sa.Column("per_area_m2_grosze", sa.BigInteger(), nullable=False),
        sa.Column("per_household_grosze", sa.BigInteger(), nullable=False),
        sa.Column("per_bin_grosze", sa.BigInteger(), nullable=False),
        sa.Column("cottage_grosze", sa.BigInteger(), nullable=False),
    )
    # Statutory maxima from 31.03.2025 (base 3 167.17 zł), see docs/domain.md.
    op.bulk_insert(
        caps,
        [
            {
                "valid_from": date(2025, 3, 31),
                "base_grosze": 316717,
                "per_resident_grosze": 6334,
                "per_water_m3_grosze": 2217,
                "per_water_household_grosze": 24703,
                "per_area_m2_grosze": 253,
                "per_household_grosze": 17736,
                "per_bin_grosze": 4117,
                "cottage_grosze": 31671,
            }
        ],
    )
    schedules = op.create_table(
        "schedules",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("cottage_month", sa.Integer(), nullable=False),
        sa.Column("cottage_day", sa.Integer(), nullable=False),
    )
    op.bulk_insert(
        schedules,
        [{"year": 0, "entries": DEFAULT_SCHEDULE, "cottage_month": 5, "cottage_day": 15}],
    )
    op.create_table(
        "installments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "declaration_id",
            sa.String(36),
            sa.ForeignKey("declarations.id", name="fk_installments_declaration_id_declarations"),
            nullable=False,
        ),
        sa.Column("payer_id", sa.String(32), nullable=False),
        sa.Column("property_id", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("amount_grosze", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint(
            "declaration_id", "year", "number", name="uq_installments_declaration_id_year_number"
        ),
    )
    op.create_index("ix_installments_payer_id", "installments", ["payer_id"])
    op.create_index("ix_installments_year", "installments", ["year"])
    op.create_table(
        "installment_charges",
        sa.Column("idempotency_key", sa.String(200), primary_key=True),
        sa.Column(
            "installment_id",
            sa.String(36),
            sa.ForeignKey(
                "installments.id", name="fk_installment_charges_installment_id_installments"
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("amount_grosze", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("cause", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index(
        "ix_installment_charges_installment_id", "installment_charges", ["installment_id"]
    )
    op.create_table(
        "assessment_runs",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("first_run_at", TZ, nullable=False),
        sa.Column("last_run_at", TZ, nullable=False),
        sa.Column("run_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", BIGINT_PK, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("object_id", sa.String(100), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "assessment_runs",
        "installment_charges",
        "installments",
        "schedules",
        "caps",
        "rates",
        "declaration_versions",
        "declarations",
        "properties",
    ):
        op.drop_table(table)
