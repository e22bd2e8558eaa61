"""Declarative base of identity, with the outbox and inbox tables in the same metadata."""

from sqlalchemy.orm import DeclarativeBase

from portal_platform.db import new_metadata
from portal_platform.messaging.schema import messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
outbox_table, inbox_table = messaging_tables(metadata)


def load_models() -> None:
    """Import every model module so the metadata is complete (Alembic, tests)."""
    from identity.accounts import models as _a  # noqa: F401
    from identity.audit import models as _u  # noqa: F401
    from identity.oidc import models as _o  # noqa: F401
