"""ModuleService of waste: how the portal shows this module, and a payer's summary cards."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portal.module.v1 import module_pb2
from portal_platform.rpc.module import ModuleServicerBase
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


class ModuleServicer(ModuleServicerBase):
    description = DESCRIPTION

    async def summarise(
        self, session: AsyncSession, payer_id: str
    ) -> module_pb2.SummarisePayerResponse:
        now = today()
        views = await installments_of(session, payer_id, now.year)
        if not views:
            views = await installments_of(session, payer_id, now.year + 1)
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
