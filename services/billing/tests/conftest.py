"""Fixtures of billing's tests: a migrated database and a configured context."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio

from billing.app import definition
from billing.charges.schemas import ChargeIn, LineIn
from billing.context import Context
from billing.modules import ModuleConfig
from portal_platform.db import Database

sys.path.insert(0, str(Path(__file__).parent))  # helpers beside this file (ksef_fake)


@pytest_asyncio.fixture
async def db(make_database) -> AsyncIterator[Database]:
    database = Database(await make_database(definition))
    yield database
    await database.dispose()


@pytest.fixture
def ctx() -> Context:
    return Context(
        modules=ModuleConfig.parse("water=civil,waste=tax", "water=W,waste=O"),
        tax_table=((date(2000, 1, 1), Decimal("10")),),
        civil_table=((date(2000, 1, 1), Decimal("10")),),
    )


def charge(
    payer: str = "P-1",
    gross: int = 12_300,
    *,
    module: str = "waste",
    kind: str = "fee_notice",
    due: tuple[date, ...] = (date(2026, 3, 15),),
    key: str | None = None,
    name: str = "Jan Kowalski",
) -> ChargeIn:
    net = gross * 100 // 108
    return ChargeIn(
        event_id=str(uuid.uuid4()),
        payer_id=payer,
        module=module,
        idempotency_key=key or str(uuid.uuid4()),
        document_kind=kind,
        title=f"Opłata {module}",
        lines=(LineIn("Usługa", Decimal("1"), "szt.", net, net, "8", gross - net, gross),),
        due_dates=due,
        payer_name=name,
        payer_address="Ludwin 12, 21-075 Ludwin",
    )


@pytest.fixture(name="charge")
def charge_factory():
    """`charge(payer, gross, module=..., due=...)` → a ChargeIn."""
    return charge
