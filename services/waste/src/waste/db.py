"""Declarative base of waste, with the outbox and inbox tables in the same metadata."""

from sqlalchemy.orm import DeclarativeBase

from portal_platform.db import new_metadata
from portal_platform.messaging.schema import messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
outbox_table, inbox_table = messaging_tables(metadata)

from waste.assessment import models as _assessment  # noqa: E402,F401
from waste.audit import models as _audit  # noqa: E402,F401
from waste.declarations import models as _declarations  # noqa: E402,F401
from waste.properties import models as _properties  # noqa: E402,F401  (register tables)
from waste.rates import models as _rates  # noqa: E402,F401
from waste.schedule import models as _schedule  # noqa: E402,F401
