"""ModuleService of water: how the portal shows this module and a payer's dashboard cards."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portal.module.v1 import module_pb2
from portal_platform.rpc.module import ModuleServicerBase
from water.campaigns import service as campaigns
from water.policy import today
from water.premises import service as premises_service
from water.readings import queries
from water.readings.rules import STATUS_LABELS
from water.rpc.common import scope
from water.rpc.mappers import pb_date

DESCRIPTION = module_pb2.DescribeModuleResponse(
    key="water",
    label_pl="Woda",
    label_en="Water",
    order=10,
    section_pl="Woda i ścieki",
    section_en="Water and sewage",
)
COUNTED = ("pending", "accepted", "corrected")


class ModuleServicer(ModuleServicerBase):
    description = DESCRIPTION

    async def summarise(
        self, session: AsyncSession, payer_id: str
    ) -> module_pb2.SummarisePayerResponse:
        """Cards: the last reading; the next deadline and whether the reading was given."""
        s = scope()
        cards, deadlines = [], []
        on = today()
        history = await queries.list_readings(session, s, payer_id=payer_id, limit=20)
        premises = await premises_service.list_premises(session, s, payer_id=payer_id)
        last = next((r for r in history if r.status in COUNTED), None)
        if last is not None:
            total = ", ".join(f"{v.value_m3} m³" for v in last.values)
            cards.append(
                module_pb2.Card(
                    title="Ostatni odczyt wodomierza",
                    body=f"{last.reading_date:%d.%m.%Y}: {total} — "
                    f"{STATUS_LABELS.get(last.status, last.status)}",
                    link="/woda",
                )
            )
        for group in sorted({p.group_code for p in premises}):
            nxt = await campaigns.next_deadline(session, group, on)
            if nxt is None:
                continue
            start = await campaigns.window_start(session, group, nxt.day)
            mine = {p.id for p in premises if p.group_code == group}
            done = all(
                any(
                    r.premises_id == pid
                    and start < r.reading_date <= nxt.day
                    and r.status in COUNTED
                    and r.source in ("customer", "clerk")
                    for r in history
                )
                for pid in mine
            )
            deadlines.append(module_pb2.Deadline(date=pb_date(nxt.day), label=nxt.label, done=done))
            cards.append(
                module_pb2.Card(
                    title="Następny termin odczytu",
                    body=f"{nxt.label} ({nxt.day:%d.%m.%Y}) — "
                    + ("odczyt podany." if done else "odczyt jeszcze niepodany."),
                    link="/woda",
                )
            )
        return module_pb2.SummarisePayerResponse(cards=cards, deadlines=deadlines)
