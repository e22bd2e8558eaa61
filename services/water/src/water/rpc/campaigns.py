"""WaterService: consumption for other modules, deadlines, campaigns and estimates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.water.v1 import water_pb2
from portal_platform.errors import InvalidArgument
from water.audit import service as audit
from water.campaigns import service as campaigns
from water.messaging.events import publish_decided
from water.policy import today
from water.premises.models import Premises
from water.rpc import mappers as m
from water.rpc.common import Base, scope, staff_scope
from water.settlements import service as settlements

BATCH = 500


class CampaignRpc(Base):
    async def GetConsumption(self, request: Any, context: Any) -> Any:
        s = scope()
        if not request.payer_id:
            raise InvalidArgument("Podaj kartotekę płatnika.", field="payer_id")
        start = m.to_date(request.period_from, "period_from")
        end = m.to_date(request.period_to, "period_to")
        if start is None or end is None or end < start:
            raise InvalidArgument("Podaj poprawny okres (od–do).", field="period_from")
        async with self.db.sessions() as session:
            total, months = await settlements.consumption_by_month(
                session,
                s,
                payer_id=request.payer_id,
                premises_id=request.premises_id,
                period_from=start,
                period_to=end,
            )
        return water_pb2.GetConsumptionResponse(
            quantity_m3=m.qty(total),
            months=[
                water_pb2.MonthlyConsumption(year=y, month=mo, quantity_m3=m.qty(q))
                for y, mo, q in months
            ],
        )

    async def ListReadingDeadlines(self, request: Any, context: Any) -> Any:
        scope()
        async with self.db.sessions() as session:
            found = await campaigns.deadlines(session, request.year or today().year)
        return water_pb2.ListReadingDeadlinesResponse(
            deadlines=[
                water_pb2.ReadingDeadline(
                    group=d.group,
                    deadline=m.pb_date(d.day),
                    label=d.label,
                    month=d.rule_month,
                    day=d.rule_day,
                )
                for d in found
            ]
        )

    async def ListPayersWithoutReading(self, request: Any, context: Any) -> Any:
        staff_scope()
        async with self.db.sessions() as session:
            payers = await campaigns.payers_without_reading(
                session, request.group, m.to_date(request.deadline, "deadline")
            )
        return water_pb2.ListPayersWithoutReadingResponse(payer_ids=payers)

    async def ListCampaignStatus(self, request: Any, context: Any) -> Any:
        staff_scope()
        async with self.db.sessions() as session:
            entries, start = await campaigns.campaign(
                session, request.group, m.to_date(request.deadline, "deadline")
            )
        shown = [e for e in entries if not (request.missing_only and e.submitted)]
        return water_pb2.ListCampaignStatusResponse(
            entries=[
                water_pb2.CampaignEntry(
                    payer_id=e.premises.payer_id,
                    premises_id=e.premises.id,
                    premises_number=e.premises.number,
                    address=e.premises.address,
                    submitted=e.submitted,
                    reading_id=e.reading.id if e.reading else "",
                    reading_status=e.reading.status if e.reading else "",
                    estimated=e.estimated is not None,
                )
                for e in shown
            ],
            submitted=sum(1 for e in entries if e.submitted),
            missing=sum(1 for e in entries if not e.submitted),
            window_from=m.pb_date(start),
        )

    async def EstimateMissingReadings(self, request: Any, context: Any) -> Any:
        s = staff_scope()
        deadline = m.to_date(request.deadline, "deadline")
        async with self.db.sessions() as session:
            entries, _ = await campaigns.campaign(session, request.group, deadline)
        todo = [e.premises for e in entries if not e.submitted and e.estimated is None]
        assert deadline is not None
        estimated, skipped = 0, []
        for i in range(0, len(todo), BATCH):
            async with self.db.transaction() as session:
                chunk = list(
                    (
                        await session.execute(
                            select(Premises).where(
                                Premises.id.in_([p.id for p in todo[i : i + BATCH]])
                            )
                        )
                    ).scalars()
                )
                decided, skip = await campaigns.estimate(
                    session, chunk, deadline, by=s.subject, policy=self.policy
                )
                await publish_decided(session, self.outbox, decided, self.policy)
                await audit.record(session, audit.reading_changes(decided))
            estimated += len(decided)
            skipped += skip
        return water_pb2.EstimateMissingReadingsResponse(
            estimated=estimated,
            skipped=[water_pb2.AcceptFailure(reading_id=n, message=t) for n, t in skipped],
        )
