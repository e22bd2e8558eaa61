"""Alembic environment of the property-tax service (version table alembic_version_property_tax)."""

from portal_platform.migrations import run_env
from property_tax.db import metadata

run_env(metadata, "property_tax")
