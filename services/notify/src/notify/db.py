"""Declarative base of notify, with the outbox and inbox tables in the same metadata."""

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import DeclarativeBase

from portal_platform.db import new_metadata
from portal_platform.messaging.schema import messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
outbox_table, inbox_table = messaging_tables(metadata)
BIGINT_PK = BigInteger().with_variant(Integer(), "sqlite")

from notify.contact import models as _contact_models  # noqa: E402,F401  (register tables)
from notify.mail import models as _mail_models  # noqa: E402,F401
from notify.preferences import models as _preferences_models  # noqa: E402,F401
from notify.reminders import models as _reminders_models  # noqa: E402,F401
