"""Alembic environment of the identity service (version table alembic_version_identity)."""

from identity.db import load_models, metadata
from portal_platform.migrations import run_env

load_models()
run_env(metadata, "identity")
