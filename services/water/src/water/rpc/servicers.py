"""WaterService over gRPC: authorise, convert, call the domain, queue events.

The readings part lives here; premises, tariffs and charts in `catalog`, campaigns in
`campaigns`, customer groups and their deadlines in `groups`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.water.v1 import water_pb2, water_pb2_grpc
from portal_platform.db import Database
from portal_platform.errors import DomainError
from portal_platform.messaging.outbox import Outbox
from water.access import Scope
from water.audit import service as audit
from water.messaging.events import publish_decided
from water.policy import Policy, today
from water.premises import service as premises_service
from water.premises.models import Premises
from water.readings import queries
from water.readings import service as readings
from water.readings.intake import SubmitItem
from water.readings.models import Reading
from water.rpc import mappers as m
from water.rpc.batcher import SubmitBatcher
from water.rpc.campaigns import BATCH, CampaignRpc
from water.rpc.catalog import CatalogRpc
from water.rpc.common import scope, staff_scope
from water.rpc.groups import GroupsRpc
from water.settlements import service as settlements
from water.settlements.models import Settlement

__all__ = ["WaterServicer", "scope"]


async def _premises_of(session: AsyncSession, rows: list[Reading]) -> dict[str, Premises]:
    ids = {r.premises_id for r in rows}
    if not ids:
        return {}
    found = (await session.execute(select(Premises).where(Premises.id.in_(ids)))).scalars()
    return {p.id: p for p in found}


class WaterServicer(CampaignRpc, CatalogRpc, GroupsRpc, water_pb2_grpc.WaterServiceServicer):  # type: ignore[misc]
    def __init__(self, db: Database, outbox: Outbox, policy: Policy) -> None:
        super().__init__(db, outbox, policy)
        self.batcher = SubmitBatcher(db, policy, self._after_save)

    async def PreviewReading(self, request: Any, context: Any) -> Any:
        s = scope()
        async with self.db.sessions() as session:
            checked = await readings.check_for(
                session,
                s,
                request.premises_id,
                m.to_date(request.reading_date, "reading_date"),
                m.inputs(request.values),
                self.policy,
            )
        return water_pb2.PreviewReadingResponse(
            preview=self._preview(checked), warnings=m.warnings(checked.warnings)
        )

    def _preview(self, checked: readings.Checked) -> Any:
        plan = checked.plan
        return m.preview(
            plan.invoice,
            water=plan.consumption.main,
            garden=plan.consumption.garden,
            deducted=plan.deducted_grosze,
        )

    async def SubmitReading(self, request: Any, context: Any) -> Any:
        """Queued with concurrent submissions and saved in one transaction per batch."""
        item = SubmitItem(
            scope(),
            request.premises_id,
            m.to_date(request.reading_date, "reading_date"),
            tuple(m.inputs(request.values)),
            request.idempotency_token,
            request.confirm_warnings,
        )
        outcome = await self.batcher.submit(item)
        if isinstance(outcome, DomainError):
            raise outcome
        assert isinstance(outcome, readings.Submitted)
        if outcome.repeated or outcome.reading is None:
            reading_pb = None
            if outcome.reading is not None:
                async with self.db.sessions() as session:
                    reading_pb = await self._reading(session, outcome.reading)
        else:
            premises = outcome.checked.premises if outcome.checked else None
            pv = self._preview(outcome.checked) if outcome.checked else None
            if outcome.decided and outcome.decided[0].settlement is not None:
                pv = m.settlement_preview(outcome.decided[0].settlement)
            reading_pb = m.reading(outcome.reading, premises, preview_pb=pv)
        return water_pb2.SubmitReadingResponse(
            reading=reading_pb,
            warnings=m.warnings(outcome.warnings),
            needs_confirmation=outcome.needs_confirmation,
            repeated_submission=outcome.repeated,
        )

    async def _after_save(self, session: AsyncSession, saved: Any) -> None:
        """Queue the events of readings accepted at once (a clerk's), in the same transaction."""
        decided = [d for s in saved for d in s.decided]
        await publish_decided(session, self.outbox, decided, self.policy)
        if decided:
            await audit.record(session, audit.reading_changes(decided))

    async def _reading(
        self, session: AsyncSession, r: Reading, checked: readings.Checked | None = None
    ) -> Any:
        """A reading with its invoice: stored for decided ones, computed for pending ones."""
        p = await premises_service.get_premises(session, Scope("staff", None), r.premises_id)
        pv = None
        if r.settlement_id:
            row = await session.get(Settlement, r.settlement_id)
            pv = m.settlement_preview(row) if row else None
        elif checked is not None:
            pv = self._preview(checked)
        elif r.status == "pending":
            try:
                state = await settlements.load_state(session, p)
                prices = await settlements.price_tables(session, [p.group_code])
                checked = readings.check(
                    p,
                    state,
                    prices[p.group_code],
                    r.reading_date,
                    [
                        readings.ValueInput(v.meter_id, str(v.value_m3), v.rollover)
                        for v in r.values
                    ],
                    self.policy,
                    allow_rollover=True,
                    on=max(today(), r.reading_date),
                )
                pv = self._preview(checked)
            except DomainError:
                pv = None
        return m.reading(r, p, preview_pb=pv)

    async def GetReading(self, request: Any, context: Any) -> Any:
        s = scope()
        async with self.db.sessions() as session:
            r = await queries.get_reading(session, s, request.reading_id)
            return water_pb2.GetReadingResponse(reading=await self._reading(session, r))

    async def ListReadings(self, request: Any, context: Any) -> Any:
        s = scope()
        async with self.db.sessions() as session:
            rows = await queries.list_readings(
                session,
                s,
                payer_id=request.payer_id,
                premises_id=request.premises_id,
                meter_id=request.meter_id,
                limit=request.limit,
            )
            by_id = await _premises_of(session, rows)
        return water_pb2.ListReadingsResponse(
            readings=[m.reading(r, by_id.get(r.premises_id)) for r in rows]
        )

    async def ListReadingsForVerification(self, request: Any, context: Any) -> Any:
        staff_scope()
        async with self.db.sessions() as session:
            rows, total = await queries.list_for_verification(
                session,
                status=request.status,
                flagged_only=request.flagged_only,
                group=request.group,
                query=request.query,
                date_from=m.to_date(request.date_from, "date_from"),
                date_to=m.to_date(request.date_to, "date_to"),
                limit=request.limit,
                offset=request.offset,
            )
            by_id = await _premises_of(session, rows)
        return water_pb2.ListReadingsForVerificationResponse(
            readings=[m.reading(r, by_id.get(r.premises_id)) for r in rows], total=total
        )

    async def DecideReading(self, request: Any, context: Any) -> Any:
        s = staff_scope()
        async with self.db.transaction() as session:
            decided = await readings.decide(
                session,
                reading_id=request.reading_id,
                decision=request.decision,
                inputs=m.inputs(request.values),
                reason=request.reason,
                by=s.subject,
                policy=self.policy,
            )
            await publish_decided(session, self.outbox, [decided], self.policy)
            await audit.record(session, audit.reading_changes([decided]))
            reading_pb = await self._reading(session, decided.reading)
        return water_pb2.DecideReadingResponse(reading=reading_pb)

    async def AcceptReadings(self, request: Any, context: Any) -> Any:
        s = staff_scope()
        ids = list(dict.fromkeys(request.reading_ids))
        accepted: list[str] = []
        failures: list[tuple[str, str]] = []
        for i in range(0, len(ids), BATCH):
            async with self.db.transaction() as session:
                decided, failed = await readings.accept_many(
                    session, ids[i : i + BATCH], by=s.subject, policy=self.policy
                )
                await publish_decided(session, self.outbox, decided, self.policy)
                await audit.record(session, audit.reading_changes(decided))
            accepted += [d.reading.id for d in decided]
            failures += failed
        return water_pb2.AcceptReadingsResponse(
            accepted_ids=accepted,
            failures=[water_pb2.AcceptFailure(reading_id=i, message=t) for i, t in failures],
        )
