"""Every table of water in one metadata (imported by migrations and tests)."""

from water.audit.models import AuditEntry
from water.db import Base, inbox_table, metadata, outbox_table
from water.premises.models import CustomerGroup, Meter, Premises, ReadingDeadline
from water.readings.models import Reading, ReadingValue
from water.settlements.models import Settlement
from water.tariffs.models import TariffPrice

__all__ = [
    "AuditEntry",
    "Base",
    "CustomerGroup",
    "Meter",
    "Premises",
    "Reading",
    "ReadingDeadline",
    "ReadingValue",
    "Settlement",
    "TariffPrice",
    "inbox_table",
    "metadata",
    "outbox_table",
]
