"""Premises, customer groups and deadlines, meters, readings, settlements, tariff prices.

Revision ID: w0002
Revises: w0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "w0002"
down_revision = "w0001"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    groups = op.create_table(
        "customer_groups",
        sa.Column("code", sa.String(20), primary_key=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    deadlines = op.create_table(
        "reading_deadlines",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "group_code",
            sa.String(20),
            sa.ForeignKey(
                "customer_groups.code", name="fk_reading_deadlines_group_code_customer_groups"
            ),
            nullable=False,
        ),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.UniqueConstraint("group_code", "month", "day", name="uq_reading_deadlines_group_code"),
    )
    op.create_index("ix_reading_deadlines_group_code", "reading_deadlines", ["group_code"])
    op.create_table(
        "premises",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("payer_id", sa.String(32), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column(
            "group_code",
            sa.String(20),
            sa.ForeignKey("customer_groups.code", name="fk_premises_group_code_customer_groups"),
            nullable=False,
        ),
        sa.Column("sewer", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("number", name="uq_premises_number"),
    )
    op.create_index("ix_premises_payer_id", "premises", ["payer_id"])
    op.create_index("ix_premises_group_code", "premises", ["group_code"])
    op.create_table(
        "meters",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "premises_id",
            sa.String(36),
            sa.ForeignKey("premises.id", name="fk_meters_premises_id_premises"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("serial", sa.String(40), nullable=False),
        sa.Column("installed_on", sa.Date(), nullable=False),
        sa.Column("initial_m3", sa.Integer(), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("final_m3", sa.Integer(), nullable=True),
        sa.Column("legalised_on", sa.Date(), nullable=True),
        sa.Column("digits", sa.Integer(), nullable=False),
        sa.Column("replaces_id", sa.String(36), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_meters_premises_id", "meters", ["premises_id"])
    op.create_index("ix_meters_serial", "meters", ["serial"])
    op.create_table(
        "readings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "premises_id",
            sa.String(36),
            sa.ForeignKey("premises.id", name="fk_readings_premises_id_premises"),
            nullable=False,
        ),
        sa.Column("payer_id", sa.String(32), nullable=False),
        sa.Column("reading_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("flag_note", sa.String(300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("idempotency_token", sa.String(80), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decided_by", sa.String(80), nullable=False),
        sa.Column("settlement_id", sa.String(36), nullable=True),
        sa.UniqueConstraint("idempotency_token", name="uq_readings_idempotency_token"),
    )
    op.create_index("ix_readings_payer_id", "readings", ["payer_id"])
    op.create_index("ix_readings_status_created", "readings", ["status", "created_at"])
    op.create_index("ix_readings_premises_date", "readings", ["premises_id", "reading_date"])
    op.create_table(
        "reading_values",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column(
            "reading_id",
            sa.String(36),
            sa.ForeignKey("readings.id", name="fk_reading_values_reading_id_readings"),
            nullable=False,
        ),
        sa.Column(
            "meter_id",
            sa.String(36),
            sa.ForeignKey("meters.id", name="fk_reading_values_meter_id_meters"),
            nullable=False,
        ),
        sa.Column("value_m3", sa.BigInteger(), nullable=False),
        sa.Column("submitted_m3", sa.BigInteger(), nullable=False),
        sa.Column("previous_m3", sa.BigInteger(), nullable=False),
        sa.Column("rollover", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("reading_id", "meter_id", name="uq_reading_values_reading_id"),
    )
    op.create_index("ix_reading_values_reading_id", "reading_values", ["reading_id"])
    op.create_index("ix_reading_values_meter_id", "reading_values", ["meter_id"])
    op.create_table(
        "settlements",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "premises_id",
            sa.String(36),
            sa.ForeignKey("premises.id", name="fk_settlements_premises_id_premises"),
            nullable=False,
        ),
        sa.Column("payer_id", sa.String(32), nullable=False),
        sa.Column(
            "reading_id",
            sa.String(36),
            sa.ForeignKey("readings.id", name="fk_settlements_reading_id_readings"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("water_m3", sa.Numeric(14, 2), nullable=False),
        sa.Column("garden_m3", sa.Numeric(14, 2), nullable=True),
        sa.Column("sewage_m3", sa.Numeric(14, 2), nullable=False),
        sa.Column("net_grosze", sa.BigInteger(), nullable=False),
        sa.Column("vat_grosze", sa.BigInteger(), nullable=False),
        sa.Column("gross_grosze", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("end_values", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("settled_by_id", sa.String(36), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("reading_id", name="uq_settlements_reading_id"),
    )
    op.create_index("ix_settlements_payer_id", "settlements", ["payer_id"])
    op.create_index("ix_settlements_premises_period", "settlements", ["premises_id", "period_to"])
    op.create_table(
        "tariff_prices",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column(
            "group_code",
            sa.String(20),
            sa.ForeignKey(
                "customer_groups.code", name="fk_tariff_prices_group_code_customer_groups"
            ),
            nullable=False,
        ),
        sa.Column("component", sa.String(20), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False),
        sa.Column("net_grosze", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
    )
    op.create_index(
        "ix_tariff_prices_group_component", "tariff_prices", ["group_code", "component"]
    )
    # Groups and their deadlines are data: clerks may change them, code never assumes them.
    op.bulk_insert(
        groups,
        [
            {"code": "household", "label": "Gospodarstwa domowe", "position": 1},
            {"code": "seasonal", "label": "Działki i domki letniskowe", "position": 2},
            {"code": "business", "label": "Firmy i instytucje", "position": 3},
        ],
    )
    op.bulk_insert(
        deadlines,
        [
            {"group_code": "household", "month": 6, "day": 30, "label": "Odczyt do 30 czerwca"},
            {"group_code": "household", "month": 11, "day": 30, "label": "Odczyt do 30 listopada"},
            {"group_code": "seasonal", "month": 6, "day": 15, "label": "Odczyt do 15 czerwca"},
        ],
    )


def downgrade() -> None:
    for table in (
        "tariff_prices",
        "settlements",
        "reading_values",
        "readings",
        "meters",
        "premises",
        "reading_deadlines",
        "customer_groups",
    ):
        op.drop_table(table)
