"""ModuleService of waste: how the portal shows this module, and a payer's summary cards."""

from __future__ import annotations

from typing import Any

from portal.module.v1 import module_pb2, module_pb2_grpc
from portal_platform.auth import principal
from portal_platform.db import Database
from waste.assessment.fees import COTTAGE
from waste.assessment.queries import installments_of
from waste.rates.service import zl
from waste.rpc.mappers import pb_date
from waste.rpc.servicers import today

DESCRIPTION = module_pb2.DescribeModuleResponse(
    key="waste",
    label_pl="Odpady",
    label_en="Waste",
    order=20,
    section_pl="Odpady komunalne",
    section_en="Municipal waste",
)
LINK = "/odpady"


class ModuleServicer(module_pb2_grpc.ModuleServiceServicer):  # type: ignore[misc]
    def __init__(self, db: Database | None = None) -> None:
        self.db = db

    async def DescribeModule(
        self, request: module_pb2.DescribeModuleRequest, context: Any
    ) -> module_pb2.DescribeModuleResponse:
        principal()
        return DESCRIPTION

    async def SummarisePayer(
        self, request: module_pb2.SummarisePayerRequest, context: Any
    ) -> module_pb2.SummarisePayerResponse:
        principal().require_payer(request.payer_id)
        if self.db is None:
            return module_pb2.SummarisePayerResponse()
        now = today()
        async with self.db.sessions() as s:
            views = await installments_of(s, request.payer_id, now.year)
            if not views:
                views = await installments_of(s, request.payer_id, now.year + 1)
        if not views:
            return module_pb2.SummarisePayerResponse()
        year = views[0].installment.year
        total = sum(v.installment.amount_grosze for v in views)
        cards = [
            module_pb2.Card(
                title=f"Opłata za odpady {year}",
                body=f"Kwota roczna: {zl(total)}",
                link=LINK,
            )
        ]
        upcoming = [v.installment for v in views if v.installment.due_date >= now]
        if upcoming:
            nxt = upcoming[0]
            label = "ryczałt" if nxt.number == COTTAGE else f"rata {nxt.number}"
            cards.append(
                module_pb2.Card(
                    title="Najbliższa rata opłaty za odpady",
                    body=f"{label}: {zl(nxt.amount_grosze)} do {nxt.due_date:%d.%m.%Y}",
                    link=LINK,
                )
            )
        deadlines = [
            module_pb2.Deadline(
                date=pb_date(i.due_date),
                label=f"Opłata za odpady — {'ryczałt' if i.number == COTTAGE else f'rata {i.number}'}"
                f" ({zl(i.amount_grosze)})",
                done=False,
            )
            for i in upcoming
        ]
        return module_pb2.SummarisePayerResponse(cards=cards, deadlines=deadlines)
