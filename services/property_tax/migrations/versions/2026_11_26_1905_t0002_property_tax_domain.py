"""Property-tax domain: taxpayers, maxima (2026 shipped), rates, filings, assessments.

Revision ID: t0002
Revises: t0001
Create Date: 2026-11-26
"""

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "t0002"
down_revision = "t0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AMOUNT = sa.Numeric(16, 4)
PERCENT = sa.Numeric(6, 3)
# Statutory maxima for 2026 (grosze per unit; percent of value for structures). Land,
# residential and business buildings as announced; seed, health and other buildings derived
# from 2025 × 1.045 — a clerk corrects any figure with SetMaximum.
SHIPPED_SOURCE = "obwieszczenie Ministra Finansów (górne granice stawek na 2026 r.)"
SHIPPED_MAXIMA = {
    2026: {
        "land_business": 145,
        "land_water": 715,
        "land_other": 77,
        "land_revitalisation": 472,
        "building_residential": 125,
        "building_business": 3553,
        "building_seed": 1664,
        "building_health": 725,
        "building_other": 1195,
        "structure": Decimal("2"),
    },
}


def upgrade() -> None:
    op.create_table(
        "taxpayers",
        sa.Column("payer_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("identifier", sa.String(20), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    for table in ("maxima", "rates"):
        prefix = "max" if table == "maxima" else "rate"
        op.create_table(
            table,
            sa.Column("year", sa.Integer, primary_key=True),
            sa.Column("category", sa.String(30), primary_key=True),
            sa.Column(f"{prefix}_grosze", sa.BigInteger, nullable=False),
            sa.Column(f"{prefix}_percent", PERCENT, nullable=False),
            sa.Column(
                "source" if table == "maxima" else "resolution", sa.String(200), nullable=False
            ),
            sa.Column("set_by", sa.String(100), nullable=False),
            sa.Column("set_at", TZ, nullable=False),
        )
    op.create_table(
        "filings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("payer_id", sa.String(32), nullable=False),
        sa.Column("form", sa.String(5), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("event_date", sa.Date, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("declared_tax_grosze", sa.BigInteger, nullable=True),
        sa.Column("filed_by", sa.String(100), nullable=False),
        sa.Column("by_staff", sa.Boolean, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_filings_payer_id", "filings", ["payer_id"])
    op.create_index("ix_filings_status", "filings", ["status"])
    op.create_table(
        "tax_objects",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "filing_id",
            sa.String(36),
            sa.ForeignKey("filings.id", name="fk_tax_objects_filing_id_filings"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("location", sa.String(300), nullable=False),
        sa.Column("area", AMOUNT, nullable=False),
        sa.Column("area_reduced", AMOUNT, nullable=False),
        sa.Column("value_grosze", sa.BigInteger, nullable=False),
        sa.Column("share_num", sa.BigInteger, nullable=False),
        sa.Column("share_den", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_tax_objects_filing_id", "tax_objects", ["filing_id"])
    op.create_table(
        "co_owners",
        sa.Column("id", BIGINT_PK, primary_key=True, autoincrement=True),
        sa.Column(
            "object_id",
            sa.String(36),
            sa.ForeignKey("tax_objects.id", name="fk_co_owners_object_id_tax_objects"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("share_num", sa.BigInteger, nullable=False),
        sa.Column("share_den", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_co_owners_object_id", "co_owners", ["object_id"])
    op.create_table(
        "assessments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("payer_id", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("basis", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("from_month", sa.Integer, nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.Column("tax_grosze", sa.BigInteger, nullable=False),
        sa.Column("previous_tax_grosze", sa.BigInteger, nullable=False),
        sa.Column("monthly", sa.JSON, nullable=False),
        sa.Column("objects", sa.JSON, nullable=False),
        sa.Column("at_once", sa.Boolean, nullable=False),
        sa.Column("reduction_grosze", sa.BigInteger, nullable=False),
        sa.Column("filing_id", sa.String(36), nullable=False),
        sa.Column("document", sa.LargeBinary, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint(
            "payer_id", "year", "version", name="uq_assessments_payer_id_year_version"
        ),
        sa.UniqueConstraint("number", name="uq_assessments_number"),
    )
    op.create_index("ix_assessments_payer_id", "assessments", ["payer_id"])
    op.create_table(
        "installments",
        sa.Column(
            "assessment_id",
            sa.String(36),
            sa.ForeignKey("assessments.id", name="fk_installments_assessment_id_assessments"),
            primary_key=True,
        ),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(30), nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("amount_grosze", sa.BigInteger, nullable=False),
        sa.Column("charged_grosze", sa.BigInteger, nullable=False),
        sa.Column("idempotency_key", sa.String(120), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", BIGINT_PK, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("object_id", sa.String(100), nullable=False),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("after", sa.JSON, nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    maxima = sa.table(
        "maxima",
        sa.column("year", sa.Integer),
        sa.column("category", sa.String),
        sa.column("max_grosze", sa.BigInteger),
        sa.column("max_percent", PERCENT),
        sa.column("source", sa.String),
        sa.column("set_by", sa.String),
        sa.column("set_at", TZ),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        maxima,
        [
            {
                "year": year,
                "category": category,
                "max_grosze": value if isinstance(value, int) else 0,
                "max_percent": value if isinstance(value, Decimal) else Decimal(0),
                "source": SHIPPED_SOURCE,
                "set_by": "migration",
                "set_at": now,
            }
            for year, values in SHIPPED_MAXIMA.items()
            for category, value in values.items()
        ],
    )


def downgrade() -> None:
    for table in (
        "audit_log", "installments", "assessments", "co_owners", "tax_objects", "filings",
        "rates", "maxima", "taxpayers",
    ):  # fmt: skip
        op.drop_table(table)
