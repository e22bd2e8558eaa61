"""Declarative base of property tax, with the outbox and inbox tables in the same metadata."""

from sqlalchemy.orm import DeclarativeBase

from portal_platform.db import new_metadata
from portal_platform.messaging.schema import messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
outbox_table, inbox_table = messaging_tables(metadata)

from property_tax.assessment import models as _assessment  # noqa: E402,F401  (register tables)
from property_tax.audit import models as _audit  # noqa: E402,F401
from property_tax.filings import models as _filings  # noqa: E402,F401
from property_tax.rates import models as _rates  # noqa: E402,F401
from property_tax.taxpayers import models as _taxpayers  # noqa: E402,F401
