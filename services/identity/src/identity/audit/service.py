"""Write and read audit entries (in the caller's transaction)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.audit.models import AuditEntry

SYSTEM = ("system", "System")


def record(
    session: AsyncSession,
    *,
    action: str,
    account_id: str,
    actor: tuple[str, str] = SYSTEM,
    client_address: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry to the session; it commits with the change it describes."""
    entry = AuditEntry(
        at=datetime.now(UTC),
        actor_id=actor[0],
        actor_name=actor[1],
        action=action,
        account_id=account_id,
        client_address=client_address[:64],
        before_json=json.dumps(before or {}, ensure_ascii=False, sort_keys=True, default=str),
        after_json=json.dumps(after or {}, ensure_ascii=False, sort_keys=True, default=str),
    )
    session.add(entry)
    return entry


async def list_entries(
    session: AsyncSession, *, account_id: str = "", limit: int = 200
) -> Sequence[AuditEntry]:
    """Newest first, optionally for one account."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 1000)))
    if account_id:
        stmt = stmt.where(AuditEntry.account_id == account_id)
    return (await session.execute(stmt)).scalars().all()
