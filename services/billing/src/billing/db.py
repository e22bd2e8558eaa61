"""Declarative base of billing, with the outbox and inbox tables in the same metadata."""

from portal_platform.db import new_metadata
from portal_platform.messaging.schema import messaging_tables
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
outbox_table, inbox_table = messaging_tables(metadata)

from billing.charges import models as _charges_models  # noqa: E402,F401  (register tables)
