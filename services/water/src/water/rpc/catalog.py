"""WaterService: customer groups, premises and meters, tariffs, settlements and charts."""

from __future__ import annotations

import json
from typing import Any

from portal.water.v1 import water_pb2
from water.audit import service as audit
from water.premises import service as premises_service
from water.rpc import mappers as m
from water.rpc.common import Base, scope, staff_scope
from water.settlements import service as settlements
from water.tariffs import service as tariffs


class CatalogRpc(Base):
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
        s = staff_scope()
        async with self.db.transaction() as session:
            p = await premises_service.create_premises(
                session,
                payer_id=request.payer_id,
                number=request.number,
                address=request.address,
                group=request.group,
                sewer=request.sewer,
            )
            await audit.record(session, [audit.Change(
                s.subject, "premises.created", "premises", p.id, None,
                {"payer_id": p.payer_id, "number": p.number, "address": p.address,
                 "group": p.group_code, "sewer": p.sewer})])  # fmt: skip
        return water_pb2.CreatePremisesResponse(premises=m.premises(p, self.policy))

    async def InstallMeter(self, request: Any, context: Any) -> Any:
        s = staff_scope()
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
            await audit.record(session, [audit.Change(
                s.subject, "meter.installed", "premises", meter.premises_id, None,
                audit.meter_state(meter))])  # fmt: skip
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
            await audit.record(session, [audit.Change(
                s.subject, "meter.replaced", "premises", old.premises_id,
                {"removed": {"meter_id": old.id, "serial": old.serial}},
                {"removed": audit.meter_state(old), "installed": audit.meter_state(new)})])  # fmt: skip
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
            changes = [
                audit.Change(
                    s.subject,
                    "tariff.price_added",
                    "tariff",
                    price.group_code,
                    None,
                    audit.price_state(price),
                )
            ]
            if closed is not None:
                changes.append(
                    audit.Change(
                        s.subject,
                        "tariff.price_closed",
                        "tariff",
                        closed.group_code,
                        {**audit.price_state(closed), "valid_to": None},
                        audit.price_state(closed),
                    )
                )
            await audit.record(session, changes)
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

    # --- audit ---

    async def ListAuditEntries(self, request: Any, context: Any) -> Any:
        staff_scope()
        async with self.db.sessions() as session:
            rows = await audit.entries(
                session,
                entity=request.entity,
                entity_ids=list(request.entity_ids),
                limit=max(1, min(request.limit or 200, 1000)),
            )
        return water_pb2.ListAuditEntriesResponse(
            entries=[
                water_pb2.AuditEntry(
                    at=m.ts(e.at),
                    actor=e.actor,
                    action=e.action,
                    entity=e.entity,
                    entity_id=e.entity_id,
                    before_json=json.dumps(e.before, ensure_ascii=False) if e.before else "",
                    after_json=json.dumps(e.after, ensure_ascii=False) if e.after else "",
                )
                for e in rows
            ]
        )
