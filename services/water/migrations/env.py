"""Alembic environment of the water service (version table alembic_version_water)."""

from portal_platform.migrations import run_env
from water.models import metadata

run_env(metadata, "water")
