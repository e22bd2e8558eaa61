"""Mail record, preferences, reminder schedule and sent reminders, contact cases.

Revision ID: n0002
Revises: n0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "n0002"
down_revision = "n0001"
branch_labels = None
depends_on = None

BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)

# The initial schedule: remind 14 and 3 days before every reading deadline and every due date.
SCHEDULE = [
    ("reading", "", 14),
    ("reading", "", 3),
    ("payment", "waste", 14),
    ("payment", "waste", 3),
    ("payment", "water", 14),
    ("payment", "water", 3),
]


def upgrade() -> None:
    op.create_table(
        "mail_messages",
        sa.Column("id", BIGINT_PK, primary_key=True, autoincrement=True),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=True),
        sa.Column("template", sa.String(60), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("reply_to", sa.String(320), nullable=True),
        sa.Column("attachment_ids", sa.JSON(), nullable=False),
        sa.Column("source_event_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(1000), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("sent_at", TS, nullable=True),
        sa.UniqueConstraint("dedup_key", name="uq_mail_messages_dedup_key"),
    )
    op.create_index("ix_mail_messages_recipient", "mail_messages", ["recipient"])
    op.create_index("ix_mail_messages_due", "mail_messages", ["status", "next_attempt_at"])

    op.create_table(
        "notification_preferences",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("readings", sa.Boolean(), nullable=False),
        sa.Column("documents", sa.Boolean(), nullable=False),
        sa.Column("payments", sa.Boolean(), nullable=False),
        sa.Column("reminders", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )

    schedule = op.create_table(
        "reminder_schedule",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.UniqueConstraint(
            "kind", "scope", "offset_days", name="uq_reminder_schedule_kind_scope_offset_days"
        ),
    )
    op.bulk_insert(
        schedule,
        [{"kind": k, "scope": s, "offset_days": o, "active": True} for k, s, o in SCHEDULE],
    )
    op.create_table(
        "reminders_sent",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("scope", sa.String(40), primary_key=True),
        sa.Column("payer_id", sa.String(64), primary_key=True),
        sa.Column("deadline", sa.Date(), primary_key=True),
        sa.Column("offset_days", sa.Integer(), primary_key=True),
        sa.Column("sent_at", TS, nullable=False),
        sa.Column("mails", sa.Integer(), nullable=False),
    )

    op.create_table(
        "contact_cases",
        sa.Column("id", BIGINT_PK, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(64), nullable=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("topic", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_contact_cases_account_id", "contact_cases", ["account_id"])
    op.create_index("ix_contact_cases_status", "contact_cases", ["status"])
    op.create_table(
        "contact_messages",
        sa.Column("id", BIGINT_PK, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            BIGINT_PK,
            sa.ForeignKey(
                "contact_cases.id",
                name="fk_contact_messages_case_id_contact_cases",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("author_kind", sa.String(10), nullable=False),
        sa.Column("author_id", sa.String(64), nullable=False),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_contact_messages_case_id", "contact_messages", ["case_id"])
    op.create_table(
        "contact_attachments",
        sa.Column("id", BIGINT_PK, primary_key=True, autoincrement=True),
        sa.Column(
            "message_id",
            BIGINT_PK,
            sa.ForeignKey(
                "contact_messages.id",
                name="fk_contact_attachments_message_id_contact_messages",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("filename", sa.String(150), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_contact_attachments_message_id", "contact_attachments", ["message_id"])
    op.create_table(
        "contact_rate_counters",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("window_start", TS, primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("contact_rate_counters")
    op.drop_table("contact_attachments")
    op.drop_table("contact_messages")
    op.drop_table("contact_cases")
    op.drop_table("reminders_sent")
    op.drop_table("reminder_schedule")
    op.drop_table("notification_preferences")
    op.drop_table("mail_messages")
