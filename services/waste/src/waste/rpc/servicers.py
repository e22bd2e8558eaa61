"""WasteService over gRPC: authorise, convert, call the service layer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from portal.waste.v1 import waste_pb2, waste_pb2_grpc
from portal_platform.auth import principal
from portal_platform.db import Database
from portal_platform.errors import InvalidArgument
from portal_platform.messaging.outbox import Outbox
from waste.assessment import queries, recalc
from waste.assessment import service as assessment
from waste.assessment.context import WaterSource, to_basis
from waste.audit.service import record
from waste.declarations import service as declarations
from waste.declarations.schemas import Filing
from waste.properties import service as properties
from waste.rates import service as rates
from waste.rpc import mappers as m
from waste.schedule import service as schedules

WARSAW = ZoneInfo("Europe/Warsaw")
STAFF = ("clerk", "admin", "service")


def today() -> date:
    return datetime.now(WARSAW).date()


def require_staff() -> str:
    p = principal()
    p.require_role(*STAFF)
    return p.subject


class WasteServicer(waste_pb2_grpc.WasteServiceServicer):  # type: ignore[misc]
    def __init__(self, db: Database, outbox: Outbox, water: WaterSource) -> None:
        self.db = db
        self.outbox = outbox
        self.water = water

    async def RegisterProperty(self, request: Any, context: Any) -> Any:
        actor = require_staff()
        async with self.db.transaction() as s:
            prop, before = await properties.register(
                s,
                property_id=request.property_id,
                payer_id=request.payer_id,
                address=request.address,
                kind=request.kind,
            )
            await record(
                s, actor=actor, action="waste.property.registered", object_id=prop.id,
                before=before, after=properties.as_dict(prop),
            )  # fmt: skip
        return waste_pb2.RegisterPropertyResponse(property=m.property_pb(prop))

    async def ListProperties(self, request: Any, context: Any) -> Any:
        if request.payer_id:
            principal().require_payer(request.payer_id)
        else:
            require_staff()
        query = request.query if principal().is_staff else ""
        async with self.db.sessions() as s:
            found = await properties.list_properties(s, payer_id=request.payer_id, query=query)
            declared = await properties.declared_ids(s, [p.id for p in found])
        return waste_pb2.ListPropertiesResponse(
            properties=[m.property_pb(p, has_declaration=p.id in declared) for p in found]
        )

    async def ListPropertiesWithoutDeclaration(self, request: Any, context: Any) -> Any:
        require_staff()
        async with self.db.sessions() as s:
            found = await properties.without_declaration(s, request.limit)
        return waste_pb2.ListPropertiesWithoutDeclarationResponse(
            properties=[m.property_pb(p) for p in found]
        )

    async def FileDeclaration(self, request: Any, context: Any) -> Any:
        p = principal()
        p.require_payer(request.payer_id)
        staff = bool(set(p.roles) & set(STAFF))
        filed_on = (m.from_pb_date(request.filed_on, "filed_on") if staff else None) or today()
        filing = Filing(
            property_id=request.property_id,
            payer_id=request.payer_id,
            raw=m.raw_input(request.input),
            change_date=m.from_pb_date(request.change_date, "change_date"),
            filed_on=filed_on,
            actor=p.subject,
            by_staff=staff,
            as_draft=request.as_draft or not staff,
            reason=request.reason if staff else "",
        )
        async with self.db.transaction() as s:
            version, result = await declarations.file(
                s, self.outbox, filing, self.water, today=today()
            )
            fee = await declarations.fee_of(s, to_basis(version))
            prop = await properties.get_for_payer(s, request.property_id, request.payer_id)
        return waste_pb2.FileDeclarationResponse(
            version=m.version_pb(
                version, property_id=prop.id, payer_id=prop.payer_id, address=prop.address, fee=fee
            ),
            recalculation=m.recalc_pb(result),
        )

    async def ConfirmDeclaration(self, request: Any, context: Any) -> Any:
        actor = require_staff()
        async with self.db.transaction() as s:
            version, result = await declarations.confirm(
                s, self.outbox, request.version_id, reason=request.reason, actor=actor,
                water=self.water, today=today(),
            )  # fmt: skip
            version, decl, prop = await declarations.version_context(s, version.id)
            fee = await declarations.fee_of(s, to_basis(version))
        return waste_pb2.ConfirmDeclarationResponse(
            version=m.version_pb(
                version, property_id=prop.id, payer_id=decl.payer_id, address=prop.address, fee=fee
            ),
            recalculation=m.recalc_pb(result),
        )

    async def RejectDeclaration(self, request: Any, context: Any) -> Any:
        actor = require_staff()
        async with self.db.transaction() as s:
            await declarations.reject(s, request.version_id, reason=request.reason, actor=actor)
            version, decl, prop = await declarations.version_context(s, request.version_id)
        return waste_pb2.RejectDeclarationResponse(
            version=m.version_pb(
                version, property_id=prop.id, payer_id=decl.payer_id, address=prop.address
            )
        )

    async def ListDeclarations(self, request: Any, context: Any) -> Any:
        principal().require_payer(request.payer_id)
        out = []
        async with self.db.sessions() as s:
            for item in await declarations.for_payer(s, request.payer_id, today=today()):
                prop = item.property

                async def pb(v: Any, prop: Any = prop) -> Any:
                    fee = await declarations.fee_of(s, to_basis(v))
                    return m.version_pb(
                        v,
                        property_id=prop.id,
                        payer_id=prop.payer_id,
                        address=prop.address,
                        fee=fee,
                    )

                out.append(
                    waste_pb2.PropertyDeclarations(
                        property=m.property_pb(prop, has_declaration=item.current is not None),
                        current=await pb(item.current) if item.current else None,
                        history=[await pb(v) for v in item.history],
                    )
                )
        return waste_pb2.ListDeclarationsResponse(properties=out)

    async def SearchDeclarations(self, request: Any, context: Any) -> Any:
        require_staff()
        async with self.db.sessions() as s:
            found = await declarations.search(
                s, query=request.query, status=request.status, limit=request.limit
            )
            versions = [
                m.version_pb(
                    v,
                    property_id=prop.id,
                    payer_id=decl.payer_id,
                    address=prop.address,
                    fee=await declarations.fee_of(s, to_basis(v)),
                )
                for v, decl, prop in found
            ]
        return waste_pb2.SearchDeclarationsResponse(versions=versions)

    async def SetRate(self, request: Any, context: Any) -> Any:
        actor = require_staff()
        r = request.rate
        async with self.db.transaction() as s:
            rate, before = await rates.set_rate(
                s, year=r.year, method=r.method, valid_from_month=r.valid_from_month,
                rate_grosze=r.rate_grosze, compost_discount_grosze=r.compost_discount_grosze,
                non_sorting_multiplier=r.non_sorting_multiplier, actor=actor,
            )  # fmt: skip
            await s.flush()
            await record(
                s, actor=actor, action="waste.rate.set", object_id=f"{rate.year}:{rate.method}",
                before=before, after=rates.rate_dict(rate),
            )  # fmt: skip
            result = await recalc.after_rate_change(
                s, self.outbox, rate.year, self.water, today=today(),
                cause=f"zmiana stawki {rate.year} {rate.method}",
            )  # fmt: skip
        return waste_pb2.SetRateResponse(rate=m.rate_pb(rate), recalculation=m.recalc_pb(result))

    async def ListRates(self, request: Any, context: Any) -> Any:
        principal()
        async with self.db.sessions() as s:
            found = await rates.list_rates(s, request.year)
        return waste_pb2.ListRatesResponse(rates=[m.rate_pb(r) for r in found])

    async def SetCaps(self, request: Any, context: Any) -> Any:
        actor = require_staff()
        async with self.db.transaction() as s:
            caps = await rates.set_caps(s, m.caps_from_pb(request.caps))
            await record(
                s, actor=actor, action="waste.caps.set", object_id=caps.valid_from.isoformat(),
                after={c: getattr(caps, c) for c in m.CAP_COLUMNS},
            )  # fmt: skip
        return waste_pb2.SetCapsResponse(caps=m.caps_pb(caps))

    async def ListCaps(self, request: Any, context: Any) -> Any:
        principal()
        async with self.db.sessions() as s:
            found = await rates.list_caps(s)
        return waste_pb2.ListCapsResponse(caps=[m.caps_pb(c) for c in found])

    async def SetSchedule(self, request: Any, context: Any) -> Any:
        actor = require_staff()
        sch = request.schedule
        async with self.db.transaction() as s:
            saved = await schedules.set_schedule(
                s, sch.year, m.entries_from_pb(sch), sch.cottage_month, sch.cottage_day
            )
            await record(
                s, actor=actor, action="waste.schedule.set", object_id=str(sch.year),
                after={"entries": [e.__dict__ for e in saved.entries]},
            )  # fmt: skip
        return waste_pb2.SetScheduleResponse(schedule=m.schedule_pb(sch.year, saved))

    async def GetSchedule(self, request: Any, context: Any) -> Any:
        principal()
        year = request.year or today().year
        async with self.db.sessions() as s:
            sch = await schedules.get_schedule(s, year)
        return waste_pb2.GetScheduleResponse(
            schedule=m.schedule_pb(year, sch),
            due_dates=[m.pb_date(sch.due_date(year, e.number)) for e in sch.entries],
            cottage_due_date=m.pb_date(sch.due_date(year, 0)),
        )

    async def PreviewAssessment(self, request: Any, context: Any) -> Any:
        require_staff()
        summary = await assessment.preview(self.db, request.year, self.water)
        return m.summary_pb(summary)

    async def RunAssessment(self, request: Any, context: Any) -> Any:
        actor = require_staff()
        summary = await assessment.run(self.db, self.outbox, request.year, self.water, actor=actor)
        return m.summary_pb(summary)

    async def ListInstallments(self, request: Any, context: Any) -> Any:
        principal().require_payer(request.payer_id)
        if request.year and not 2000 <= request.year <= 2200:
            raise InvalidArgument("Nieprawidłowy rok.", field="year")
        async with self.db.sessions() as s:
            found = await queries.installments_of(s, request.payer_id, request.year)
        return waste_pb2.ListInstallmentsResponse(
            installments=[m.installment_pb(v) for v in found],
            yearly_grosze=sum(v.installment.amount_grosze for v in found) if request.year else 0,
        )
