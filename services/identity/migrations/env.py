"""Alembic environment of the identity service (version table alembic_version_identity)."""

from identity.db import metadata
from portal_platform.migrations import run_env

run_env(metadata, "identity")
