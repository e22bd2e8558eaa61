"""Alembic environment of the billing service (version table alembic_version_billing)."""

from billing.db import metadata
from portal_platform.migrations import run_env

run_env(metadata, "billing")
