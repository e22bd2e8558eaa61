"""Declarative base of billing, with the outbox and inbox tables in the same metadata."""

from sqlalchemy.orm import DeclarativeBase

from portal_platform.db import new_metadata
from portal_platform.messaging.schema import messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
outbox_table, inbox_table = messaging_tables(metadata)

from billing.charges import models as _charges_models  # noqa: E402,F401  (register tables)
from billing.documents import models as _documents_models  # noqa: E402,F401
from billing.ksef import models as _ksef_models  # noqa: E402,F401
from billing.ledger import models as _ledger_models  # noqa: E402,F401
from billing.numbering import models as _numbering_models  # noqa: E402,F401
from billing.payers import models as _payers_models  # noqa: E402,F401
from billing.payments import models as _payments_models  # noqa: E402,F401
from billing.statements import models as _statements_models  # noqa: E402,F401
