"""Writing and reading the audit log, in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from water.audit.models import AuditEntry


@dataclass(frozen=True)
class Change:
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


async def record(session: AsyncSession, changes: Sequence[Change]) -> None:
    """One multi-row insert for all the changes of a transaction."""
    if not changes:
        return
    now = datetime.now(UTC)
    await session.execute(insert(AuditEntry), [
        {"at": now, "actor": c.actor[:80], "action": c.action, "entity": c.entity,
         "entity_id": c.entity_id, "before": c.before, "after": c.after}
        for c in changes
    ])  # fmt: skip


async def entries(
    session: AsyncSession, *, entity: str, entity_ids: Sequence[str], limit: int = 200
) -> list[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id.in_(list(entity_ids)))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


def reading_changes(decided: Sequence[Any]) -> list[Change]:
    """Audit entries of decided readings (accepted, corrected, rejected, estimated, entered)."""
    out = []
    for d in decided:
        r = d.reading
        action = (
            "reading.entered"
            if r.source == "clerk" and d.decision == "accepted"
            else (f"reading.{d.decision}")
        )
        values = {v.meter_id: v.value_m3 for v in r.values}
        submitted = {v.meter_id: v.submitted_m3 for v in r.values}
        out.append(Change(
            actor=r.decided_by or r.created_by, action=action, entity="reading", entity_id=r.id,
            before=None if r.source in ("clerk", "estimated") else {
                "status": "pending", "values": submitted},
            after={"status": r.status, "values": values, "reason": r.reason,
                   "settlement_id": r.settlement_id,
                   "gross_grosze": d.settlement.gross_grosze if d.settlement else None},
        ))  # fmt: skip
    return out


def meter_state(m: Any) -> dict[str, Any]:
    return {
        "meter_id": m.id, "kind": m.kind, "serial": m.serial,
        "installed_on": m.installed_on.isoformat(), "initial_m3": m.initial_m3,
        "removed_on": m.removed_on.isoformat() if m.removed_on else None,
        "final_m3": m.final_m3,
        "legalised_on": m.legalised_on.isoformat() if m.legalised_on else None,
    }  # fmt: skip


def price_state(t: Any) -> dict[str, Any]:
    return {
        "price_id": t.id, "component": t.component, "unit": t.unit,
        "net_grosze": t.net_grosze, "valid_from": t.valid_from.isoformat(),
        "valid_to": t.valid_to.isoformat() if t.valid_to else None,
    }  # fmt: skip
