"""Gap-free numbers: counter rows locked FOR UPDATE in the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from billing.numbering.models import Counter
from portal_platform.db import insert_ignoring_conflicts


async def take(session: AsyncSession, wanted: Mapping[str, int]) -> dict[str, int]:
    """Reserve `count` numbers in each series; return the first number of each block.

    The rows stay locked until the caller's transaction ends, so a rollback returns the
    numbers and concurrent transactions wait: the series has no gaps and no repeats.
    """
    wanted = {s: n for s, n in wanted.items() if n > 0}
    if not wanted:
        return {}
    table = Counter.__table__
    await session.execute(
        insert_ignoring_conflicts(session, table, ["series"]),
        [{"series": s, "last_number": 0} for s in sorted(wanted)],
    )
    rows = await session.execute(
        select(Counter.series, Counter.last_number)
        .where(Counter.series.in_(sorted(wanted)))
        .order_by(Counter.series)
        .with_for_update()
    )
    current = {series: last for series, last in rows.all()}
    first = {}
    for series in sorted(wanted):
        first[series] = current[series] + 1
        await session.execute(
            update(Counter)
            .where(Counter.series == series)
            .values(last_number=current[series] + wanted[series])
        )
    return first
