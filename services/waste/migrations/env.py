"""Alembic environment of the waste service (version table alembic_version_waste)."""

from portal_platform.migrations import run_env
from waste.db import metadata

run_env(metadata, "waste")
