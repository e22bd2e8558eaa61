"""Writing audit entries in the same transaction as the change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from property_tax.audit.models import AuditEntry


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    object_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add one audit entry to the caller's transaction."""
    session.add(
        AuditEntry(
            at=datetime.now(UTC),
            actor=actor,
            action=action,
            object_id=object_id,
            before=before,
            after=after,
        )
    )
