"""WaterService: customer groups with their reading deadlines, listed and changed by staff."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portal.water.v1 import water_pb2
from water.audit import service as audit
from water.campaigns import service as campaigns
from water.policy import today
from water.premises import groups
from water.premises import service as premises_service
from water.rpc import mappers as m
from water.rpc.common import Base, scope, staff_scope


def deadline_pb(d: campaigns.Deadline) -> water_pb2.ReadingDeadline:
    return water_pb2.ReadingDeadline(
        group=d.group, deadline=m.pb_date(d.day), label=d.label, month=d.rule_month, day=d.rule_day
    )


async def groups_pb(
    session: AsyncSession, year: int, *, staff: bool, only: str = ""
) -> list[water_pb2.CustomerGroup]:
    """The groups (or one) with the deadlines of a year; premises counts for staff."""
    found = await campaigns.deadlines(session, year)
    counts = await groups.premises_counts(session) if staff else {}
    return [
        water_pb2.CustomerGroup(
            code=g.code,
            label=g.label,
            deadlines=[deadline_pb(d) for d in found if d.group == g.code],
            premises_count=counts.get(g.code, 0),
        )
        for g, _ in await premises_service.list_groups(session)
        if not only or g.code == only
    ]


class GroupsRpc(Base):
    async def ListCustomerGroups(self, request: Any, context: Any) -> Any:
        s = scope()
        async with self.db.sessions() as session:
            found = await groups_pb(session, request.year or today().year, staff=s.is_staff)
        return water_pb2.ListCustomerGroupsResponse(groups=found)

    async def _changed(self, session: AsyncSession, code: str) -> water_pb2.CustomerGroup:
        return (await groups_pb(session, today().year, staff=True, only=code))[0]

    async def AddReadingDeadline(self, request: Any, context: Any) -> Any:
        s = staff_scope()
        async with self.db.transaction() as session:
            row = await groups.add_deadline(
                session,
                group=request.group,
                month=request.month,
                day=request.day,
                label=request.label,
            )
            await audit.record(session, [audit.Change(
                s.subject, "group.deadline_added", "group", row.group_code, None,
                groups.deadline_state(row))])  # fmt: skip
            group = await self._changed(session, row.group_code)
        return water_pb2.AddReadingDeadlineResponse(group=group)

    async def RemoveReadingDeadline(self, request: Any, context: Any) -> Any:
        s = staff_scope()
        async with self.db.transaction() as session:
            row = await groups.remove_deadline(
                session, group=request.group, month=request.month, day=request.day
            )
            await audit.record(session, [audit.Change(
                s.subject, "group.deadline_removed", "group", row.group_code,
                groups.deadline_state(row), None)])  # fmt: skip
            group = await self._changed(session, row.group_code)
        return water_pb2.RemoveReadingDeadlineResponse(group=group)

    async def RenameCustomerGroup(self, request: Any, context: Any) -> Any:
        s = staff_scope()
        code = request.group.strip()
        async with self.db.transaction() as session:
            before, after = await groups.rename_group(session, group=code, label=request.label)
            await audit.record(session, [audit.Change(
                s.subject, "group.renamed", "group", code, {"label": before}, {"label": after})])  # fmt: skip
            group = await self._changed(session, code)
        return water_pb2.RenameCustomerGroupResponse(group=group)
