"""WaterService over gRPC: authorise, convert, call the domain, queue events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.water.v1 import water_pb2, water_pb2_grpc
from portal_platform.auth import principal
from portal_platform.db import Database
from portal_platform.errors import DomainError, InvalidArgument
from portal_platform.messaging.outbox import Outbox
from water.access import Scope
from water.campaigns import service as campaigns
from water.messaging.events import publish_decided
from water.policy import Policy, today
from water.premises import service as premises_service
from water.premises.models import Premises
from water.readings import service as readings
from water.readings.models import Reading
from water.rpc import mappers as m
from water.settlements import service as settlements
from water.settlements.models import Settlement
from water.tariffs import service as tariffs

BATCH = 500


def scope() -> Scope:
    """The caller: staff and services see everything, residents their payers."""
    p = principal()
    return Scope(p.subject, None if p.is_staff else frozenset(p.payers))


def staff_scope() -> Scope:
    s = scope()
    s.require_staff()
    return s


async def _premises_of(session: AsyncSession, rows: list[Reading]) -> dict[str, Premises]:
    ids = {r.premises_id for r in rows}
    if not ids:
        return {}
    found = (await session.execute(select(Premises).where(Premises.id.in_(ids)))).scalars()
    return {p.id: p for p in found}


class WaterServicer(water_pb2_grpc.WaterServiceServicer):
    def __init__(self, db: Database, outbox: Outbox, policy: Policy) -> None:
        self.db = db
        self.outbox = outbox
        self.policy = policy

    # --- consumption and campaigns used by other services ---

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
                water_pb2.ReadingDeadline(group=d.group, deadline=m.pb_date(d.day), label=d.label)
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
            estimated += len(decided)
            skipped += skip
        return water_pb2.EstimateMissingReadingsResponse(
            estimated=estimated,
            skipped=[water_pb2.AcceptFailure(reading_id=n, message=t) for n, t in skipped],
        )

    # --- premises and meters ---

    async def ListCustomerGroups(self, request: Any, context: Any) -> Any:
        scope()
        year = request.year or today().year
        async with self.db.sessions() as session:
            groups = await premises_service.list_groups(session)
            found = await campaigns.deadlines(session, year)
        return water_pb2.ListCustomerGroupsResponse(
            groups=[
                water_pb2.CustomerGroup(
                    code=g.code,
                    label=g.label,
                    deadlines=[
                        water_pb2.ReadingDeadline(
                            group=d.group, deadline=m.pb_date(d.day), label=d.label
                        )
                        for d in found
                        if d.group == g.code
                    ],
                )
                for g, _ in groups
            ]
        )

    async def ListPremises(self, request: Any, context: Any) -> Any:
        s = scope()
        async with self.db.sessions() as session:
            found = await premises_service.list_premises(
                session, s, payer_id=request.payer_id, query=request.query, limit=request.limit
            )
            states = await settlements.load_states(session, found)
        return water_pb2.ListPremisesResponse(
            premises=[m.premises(p, self.policy, states[p.id]) for p in found]
        )

    async def GetPremises(self, request: Any, context: Any) -> Any:
        s = scope()
        async with self.db.sessions() as session:
            p = await premises_service.get_premises(session, s, request.premises_id)
            state = await settlements.load_state(session, p)
        return water_pb2.GetPremisesResponse(premises=m.premises(p, self.policy, state))

    async def CreatePremises(self, request: Any, context: Any) -> Any:
        staff_scope()
        async with self.db.transaction() as session:
            p = await premises_service.create_premises(
                session,
                payer_id=request.payer_id,
                number=request.number,
                address=request.address,
                group=request.group,
                sewer=request.sewer,
            )
        return water_pb2.CreatePremisesResponse(premises=m.premises(p, self.policy))

    async def InstallMeter(self, request: Any, context: Any) -> Any:
        staff_scope()
        async with self.db.transaction() as session:
            meter = await premises_service.install_meter(
                session,
                premises_id=request.premises_id,
                kind=request.kind,
                serial=request.serial,
                installed_on=m.to_date(request.installed_on, "installed_on"),
                initial_raw=request.initial_m3,
                legalised_on=m.to_date(request.legalised_on, "legalised_on"),
                digits=request.digits,
            )
        return water_pb2.InstallMeterResponse(meter=m.meter(meter, self.policy))

    async def ReplaceMeter(self, request: Any, context: Any) -> Any:
        s = staff_scope()
        async with self.db.transaction() as session:
            old, new = await premises_service.replace_meter(
                session,
                meter_id=request.meter_id,
                replaced_on=m.to_date(request.replaced_on, "replaced_on"),
                final_raw=request.final_m3,
                new_serial=request.new_serial,
                new_initial_raw=request.new_initial_m3,
                new_legalised_on=m.to_date(request.new_legalised_on, "new_legalised_on"),
                new_digits=request.new_digits,
                by=s.subject,
            )
        return water_pb2.ReplaceMeterResponse(
            removed=m.meter(old, self.policy), installed=m.meter(new, self.policy)
        )

    async def ListMeters(self, request: Any, context: Any) -> Any:
        staff_scope()
        async with self.db.sessions() as session:
            rows = await premises_service.list_meters(
                session,
                self.policy,
                due_only=request.legalisation_due_only,
                query=request.query,
                limit=request.limit,
            )
        return water_pb2.ListMetersResponse(
            meters=[m.meter(meter, self.policy, premises=p) for meter, p in rows]
        )

    # --- tariffs ---

    async def ListTariffPrices(self, request: Any, context: Any) -> Any:
        scope()
        async with self.db.sessions() as session:
            rows = await tariffs.list_prices(session, group=request.group)
        return water_pb2.ListTariffPricesResponse(prices=[m.tariff_price(t) for t in rows])

    async def AddTariffPrice(self, request: Any, context: Any) -> Any:
        s = staff_scope()
        async with self.db.transaction() as session:
            price, closed = await tariffs.add_price(
                session,
                group=request.group,
                component=request.component,
                unit=request.unit,
                net_price=request.net_price,
                valid_from=m.to_date(request.valid_from, "valid_from"),
                valid_to=m.to_date(request.valid_to, "valid_to"),
                by=s.subject,
            )
        return water_pb2.AddTariffPriceResponse(
            price=m.tariff_price(price), closed=m.tariff_price(closed) if closed else None
        )

    # --- settlements and charts ---

    async def ListSettlements(self, request: Any, context: Any) -> Any:
        s = scope()
        async with self.db.sessions() as session:
            if request.premises_id:
                await premises_service.get_premises(session, s, request.premises_id)
            rows = await settlements.list_settlements(
                session, s, payer_id=request.payer_id, premises_id=request.premises_id
            )
        return water_pb2.ListSettlementsResponse(settlements=[m.settlement(x, n) for x, n in rows])

    async def GetCharts(self, request: Any, context: Any) -> Any:
        s = scope()
        async with self.db.sessions() as session:
            if request.premises_id:
                await premises_service.get_premises(session, s, request.premises_id)
            points = await settlements.chart_points(
                session, s, payer_id=request.payer_id, premises_id=request.premises_id
            )
        return water_pb2.GetChartsResponse(
            points=[
                water_pb2.ChartPoint(
                    period_from=m.pb_date(x.period_from),
                    period_to=m.pb_date(x.period_to),
                    label=m.chart_label(x.period_from, x.period_to),
                    water_m3=m.qty(x.water_m3),
                    daily_m3=m.qty(per_day),
                    gross_grosze=fee,
                    estimated=x.kind == "estimated",
                )
                for x, per_day, fee in points
            ]
        )

    # --- readings ---

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
        s = scope()
        async with self.db.transaction() as session:
            result = await readings.submit(
                session,
                s,
                premises_id=request.premises_id,
                reading_date=m.to_date(request.reading_date, "reading_date"),
                inputs=m.inputs(request.values),
                token=request.idempotency_token,
                confirm=request.confirm_warnings,
                policy=self.policy,
            )
            await publish_decided(session, self.outbox, result.decided, self.policy)
            reading_pb = None
            if result.reading is not None:
                reading_pb = await self._reading(session, result.reading, result.checked)
        return water_pb2.SubmitReadingResponse(
            reading=reading_pb,
            warnings=m.warnings(result.warnings),
            needs_confirmation=result.needs_confirmation,
            repeated_submission=result.repeated,
        )

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
            r = await readings.get_reading(session, s, request.reading_id)
            return water_pb2.GetReadingResponse(reading=await self._reading(session, r))

    async def ListReadings(self, request: Any, context: Any) -> Any:
        s = scope()
        async with self.db.sessions() as session:
            rows = await readings.list_readings(
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
            rows, total = await readings.list_for_verification(
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
            accepted += [d.reading.id for d in decided]
            failures += failed
        return water_pb2.AcceptReadingsResponse(
            accepted_ids=accepted,
            failures=[water_pb2.AcceptFailure(reading_id=i, message=t) for i, t in failures],
        )
