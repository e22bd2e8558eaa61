"""PropertyTaxService over gRPC: authorise, convert, call the service layer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from portal.property_tax.v1 import property_tax_pb2 as pb
from portal.property_tax.v1 import property_tax_pb2_grpc
from portal_platform.auth import principal
from portal_platform.db import Database
from portal_platform.errors import NotFound
from portal_platform.messaging.outbox import Outbox
from property_tax import workflow
from property_tax.assessment import bulk
from property_tax.assessment import service as assessment
from property_tax.assessment.service import Authority
from property_tax.audit.service import record
from property_tax.clock import today
from property_tax.filings import service as filings
from property_tax.filings.schemas import FilingIn
from property_tax.rates import service as rates
from property_tax.rpc import mappers as m
from property_tax.taxpayers import service as taxpayers

STAFF = ("clerk", "admin", "service")


def require_staff() -> str:
    p = principal()
    p.require_role(*STAFF)
    return p.subject


def is_staff() -> bool:
    return bool(principal().roles & set(STAFF))


def require_own(payer_id: str) -> None:
    """Staff see every payer; a resident only theirs (someone else's: as if it did not exist)."""
    if not is_staff() and payer_id not in principal().payers:
        raise NotFound("Nie znaleziono.", field="payer_id")


class PropertyTaxServicer(property_tax_pb2_grpc.PropertyTaxServiceServicer):  # type: ignore[misc]
    def __init__(self, db: Database, outbox: Outbox, authority: Authority) -> None:
        self.db = db
        self.outbox = outbox
        self.authority = authority

    # ---- taxpayers ----

    async def RegisterTaxpayer(self, request: Any, context: Any) -> Any:
        actor = require_staff()
        async with self.db.transaction() as s:
            t, before = await taxpayers.register(s, m.taxpayer_in(request.taxpayer))
            await record(s, actor=actor, action="property_tax.taxpayer.registered",
                         object_id=t.payer_id, before=before, after=taxpayers.as_dict(t))  # fmt: skip
            return pb.TaxpayerResponse(taxpayer=m.taxpayer_pb(t))

    async def GetTaxpayer(self, request: Any, context: Any) -> Any:
        principal().require_payer(request.payer_id)
        async with self.db.sessions() as s:
            return pb.TaxpayerResponse(
                taxpayer=m.taxpayer_pb(await taxpayers.get(s, request.payer_id))
            )

    async def SearchTaxpayers(self, request: Any, context: Any) -> Any:
        require_staff()
        async with self.db.sessions() as s:
            found = await taxpayers.search(s, request.query, request.limit)
        return pb.SearchTaxpayersResponse(taxpayers=[m.taxpayer_pb(t) for t in found])

    # ---- maxima and rates ----

    async def SetMaximum(self, request: Any, context: Any) -> Any:
        actor = require_staff()
        async with self.db.transaction() as s:
            mx = await rates.set_maximum(
                s, year=request.year, category=request.category, max_grosze=request.max_grosze,
                max_percent=request.max_percent, source=request.source, actor=actor,
            )  # fmt: skip
            await record(s, actor=actor, action="property_tax.maximum.set",
                         object_id=f"{mx.year}:{mx.category}",
                         after={"max_grosze": mx.max_grosze, "max_percent": str(mx.max_percent)})  # fmt: skip
            year = await rates.year_rates(s, request.year)
        row = next(r for r in m.rates_pb(year).rates if r.category == request.category)
        return pb.SetMaximumResponse(rate=row)

    async def SetRate(self, request: Any, context: Any) -> Any:
        actor = require_staff()
        r = request.rate
        async with self.db.transaction() as s:
            rate, _ = await rates.set_rate(
                s, year=r.year, category=r.category, rate_grosze=r.rate_grosze,
                rate_percent=r.rate_percent, resolution=r.resolution, actor=actor,
            )  # fmt: skip
            await record(s, actor=actor, action="property_tax.rate.set",
                         object_id=f"{rate.year}:{rate.category}",
                         after={"rate_grosze": rate.rate_grosze, "rate_percent": str(rate.rate_percent),
                                "resolution": rate.resolution})  # fmt: skip
            year = await rates.year_rates(s, r.year)
        row = next(x for x in m.rates_pb(year).rates if x.category == r.category)
        return pb.SetRateResponse(rate=row)

    async def ListRates(self, request: Any, context: Any) -> Any:
        principal()
        rates.check_year(request.year)
        async with self.db.sessions() as s:
            return m.rates_pb(await rates.year_rates(s, request.year))

    # ---- filings ----

    async def FileInformation(self, request: Any, context: Any) -> Any:
        p = principal()
        p.require_payer(request.payer_id)
        staff = is_staff()
        data = FilingIn(
            payer_id=request.payer_id,
            form=request.form,
            event_date=m.from_pb_date(request.event_date, "event_date"),
            objects=tuple(m.object_in(o) for o in request.objects),
            actor=p.subject,
            by_staff=staff,
            as_draft=request.as_draft or not staff,
            filed_on=(m.from_pb_date(request.filed_on, "filed_on") if staff else None) or today(),
            year=request.year,
            declared_tax_grosze=request.declared_tax_grosze
            if request.declared_tax_grosze or request.form == "DN-1"
            else None,
            taxpayer=m.taxpayer_in(request.taxpayer) if request.HasField("taxpayer") else None,
        )
        if data.taxpayer is not None:
            data = _with_payer(data)
        async with self.db.transaction() as s:
            filing, result = await workflow.file(s, self.outbox, data, self.authority)
            return pb.FilingResponse(
                filing=m.filing_pb(filing), assessment=m.assessment_pb(result) if result else None
            )

    async def ConfirmFiling(self, request: Any, context: Any) -> Any:
        return await self._decide(request.filing_id, confirm=True, reason="")

    async def RejectFiling(self, request: Any, context: Any) -> Any:
        return await self._decide(request.filing_id, confirm=False, reason=request.reason)

    async def _decide(self, filing_id: str, *, confirm: bool, reason: str) -> Any:
        actor = require_staff()
        async with self.db.transaction() as s:
            filing, result = await workflow.decide(
                s, self.outbox, filing_id, confirm=confirm, actor=actor, reason=reason,
                authority=self.authority,
            )  # fmt: skip
            return pb.FilingResponse(
                filing=m.filing_pb(filing), assessment=m.assessment_pb(result) if result else None
            )

    async def ListFilings(self, request: Any, context: Any) -> Any:
        if request.payer_id:
            principal().require_payer(request.payer_id)
        else:
            require_staff()
        async with self.db.sessions() as s:
            found = await filings.list_filings(
                s, payer_id=request.payer_id, status=request.status, limit=request.limit
            )
        return pb.ListFilingsResponse(filings=[m.filing_pb(f) for f in found])

    async def ListObjects(self, request: Any, context: Any) -> Any:
        principal().require_payer(request.payer_id)
        on = m.from_pb_date(request.as_of, "as_of") or today()
        async with self.db.sessions() as s:
            f = await filings.in_force(s, request.payer_id, on)
        if f is None:
            return pb.ListObjectsResponse()
        return pb.ListObjectsResponse(
            objects=[m.object_pb(o) for o in f.objects], filing_id=f.id,
            effective_from=m.pb_date(f.effective_from),
        )  # fmt: skip

    # ---- assessments ----

    async def PreviewAssessment(self, request: Any, context: Any) -> Any:
        require_own(request.payer_id)
        issued_on = (
            m.from_pb_date(request.issued_on, "issued_on") if is_staff() else None
        ) or today()
        async with self.db.sessions() as s:
            draft = await assessment.preview(
                s, request.payer_id, request.year, issued_on=issued_on, authority=self.authority
            )
        return m.preview_pb(draft)

    async def IssueDecision(self, request: Any, context: Any) -> Any:
        actor = require_staff()
        issued_on = m.from_pb_date(request.issued_on, "issued_on") or today()
        async with self.db.transaction() as s:
            a = await assessment.issue_decision(
                s, self.outbox, request.payer_id, request.year, issued_on=issued_on,
                actor=actor, authority=self.authority,
            )  # fmt: skip
            await record(s, actor=actor, action="property_tax.decision.issued", object_id=a.id,
                         after={"number": a.number, "payer_id": a.payer_id, "year": a.year,
                                "tax_grosze": a.tax_grosze, "version": a.version})  # fmt: skip
            return m.assessment_pb(a)

    async def IssueYearDecisions(self, request: Any, context: Any) -> Any:
        actor = require_staff()
        run = await bulk.issue_year(
            self.db, self.outbox, request.year,
            issued_on=m.from_pb_date(request.issued_on, "issued_on") or today(),
            actor=actor, authority=self.authority,
        )  # fmt: skip
        return pb.IssueYearDecisionsResponse(
            issued=run.issued, already_issued=run.already_issued, total_grosze=run.total_grosze,
            problems=[pb.Problem(payer_id=p, message=msg) for p, msg in run.problems],
        )  # fmt: skip

    async def ListAssessments(self, request: Any, context: Any) -> Any:
        principal().require_payer(request.payer_id)
        async with self.db.sessions() as s:
            found = await assessment.list_for(s, request.payer_id, request.year)
        return pb.ListAssessmentsResponse(assessments=[m.assessment_pb(a) for a in found])

    async def GetDecisionFile(self, request: Any, context: Any) -> Any:
        principal()
        async with self.db.sessions() as s:
            a = await assessment.get(s, request.assessment_id)
        require_own_object(a.payer_id)
        if not a.document:
            raise NotFound("Ta decyzja nie ma pliku.", field="assessment_id")
        return pb.DecisionFile(
            filename=f"decyzja_{a.number.replace('.', '_')}.pdf",
            content_type="application/pdf",
            content=a.document,
        )


def require_own_object(payer_id: str) -> None:
    if not is_staff() and payer_id not in principal().payers:
        raise NotFound("Nie ma takiej decyzji.", field="assessment_id")


def _with_payer(data: FilingIn) -> FilingIn:
    """The taxpayer block always names the payer the filing is for."""
    assert data.taxpayer is not None
    return replace(data, taxpayer=replace(data.taxpayer, payer_id=data.payer_id))
