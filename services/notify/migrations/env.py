"""Alembic environment of the notify service (version table alembic_version_notify)."""

from notify.db import metadata
from portal_platform.migrations import run_env

run_env(metadata, "notify")
