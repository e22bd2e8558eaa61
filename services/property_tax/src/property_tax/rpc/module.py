"""ModuleService of property tax: how the portal shows this module, and a payer's summary."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portal.module.v1 import module_pb2
from portal_platform.rpc.module import ModuleServicerBase
from property_tax.assessment import service as assessment
from property_tax.clock import today
from property_tax.rates.service import zl
from property_tax.rpc.mappers import pb_date

DESCRIPTION = module_pb2.DescribeModuleResponse(
    key="property_tax",
    label_pl="Podatki",
    label_en="Taxes",
    order=30,
    section_pl="Podatek od nieruchomości",
    section_en="Property tax",
)
LINK = "/podatki"


class ModuleServicer(ModuleServicerBase):
    description = DESCRIPTION

    async def summarise(
        self, session: AsyncSession, payer_id: str
    ) -> module_pb2.SummarisePayerResponse:
        now = today()
        current = await assessment.latest(session, payer_id, now.year)
        if current is None:
            current = await assessment.latest(session, payer_id, now.year + 1)
        if current is None:
            return module_pb2.SummarisePayerResponse()
        what = "Decyzja" if current.basis == "decision" else "Deklaracja DN-1"
        cards = [
            module_pb2.Card(
                title=f"Podatek od nieruchomości {current.year}",
                body=f"{what} {current.number}: {zl(current.tax_grosze)} za rok",
                link=LINK,
            )
        ]
        upcoming = [i for i in current.installments if i.due_date >= now and i.amount_grosze]
        if upcoming:
            nxt = upcoming[0]
            label = "jednorazowo" if current.at_once else nxt.label
            cards.append(
                module_pb2.Card(
                    title="Najbliższa rata podatku od nieruchomości",
                    body=f"{label}: {zl(nxt.amount_grosze)} do {nxt.due_date:%d.%m.%Y}",
                    link=LINK,
                )
            )
        deadlines = [
            module_pb2.Deadline(
                date=pb_date(i.due_date),
                label=f"Podatek od nieruchomości — {'jednorazowo' if current.at_once else i.label}"
                f" ({zl(i.amount_grosze)})",
                done=False,
            )
            for i in upcoming
        ]
        return module_pb2.SummarisePayerResponse(cards=cards, deadlines=deadlines)
