"""What an assessment needs loaded: versions, rates, schedule, caps and water consumption."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from waste.assessment.fees import Basis, RateLookup, YearPlan, plan_year
from waste.declarations.models import DeclarationVersion
from waste.rates.service import caps_on, rate_lookup
from waste.schedule.rules import YearSchedule
from waste.schedule.service import get_schedule

# (payer_id, water premises id, year) → average monthly m³ of the year before, or None.
WaterSource = Callable[[str, str, int], Awaitable[Decimal | None]]


async def no_water(_payer: str, _premises: str, _year: int) -> Decimal | None:
    return None


def to_basis(v: DeclarationVersion) -> Basis:
    return Basis(
        method=v.method,
        applies_from=v.applies_from,
        number=v.number,
        residents=v.residents,
        area_m2=Decimal(v.area_m2),
        households=v.households,
        bins=v.bins,
        collections_per_month=v.collections_per_month,
        water_m3_month=Decimal(v.water_m3_month) if v.water_m3_month is not None else None,
        composting=v.composting,
        not_sorting=v.not_sorting,
    )


@dataclass
class YearContext:
    """Rates, schedule and caps of one year, loaded once."""

    year: int
    rates: RateLookup
    schedule: YearSchedule
    household_cap: int
    water: WaterSource
    _plans: dict[tuple[tuple[Basis, ...], Decimal | None], YearPlan] = field(default_factory=dict)

    async def plan(self, payer_id: str, versions: Sequence[DeclarationVersion]) -> YearPlan:
        """The year's installments for the confirmed versions of one declaration."""
        bases = [to_basis(v) for v in versions]
        water_m3 = None
        year_end = date(self.year, 12, 31)
        uses_water = [
            v for v in versions if v.method == "per_water_m3" and v.applies_from <= year_end
        ]
        if uses_water:
            premises = uses_water[-1].water_premises_id
            water_m3 = await self.water(payer_id, premises, self.year)
        key = (tuple(bases), water_m3)
        found = self._plans.get(key)
        if found is None:
            # Most declarations repeat a few shapes (residents, composting): plan each once.
            found = plan_year(
                self.year,
                bases,
                self.rates,
                self.schedule,
                water_m3=water_m3,
                household_cap=self.household_cap,
            )
            if len(self._plans) < 100_000:
                self._plans[key] = found
        return found


async def year_context(session: AsyncSession, year: int, water: WaterSource) -> YearContext:
    caps = await caps_on(session, date(year, 1, 1))
    return YearContext(
        year,
        await rate_lookup(session, year),
        await get_schedule(session, year),
        int(caps.per_water_household_grosze),
        water,
    )


async def confirmed_versions(
    session: AsyncSession, declaration_ids: Sequence[str], year: int
) -> dict[str, list[DeclarationVersion]]:
    """Confirmed versions applying up to the end of `year`, per declaration, oldest first."""
    rows = (
        await session.execute(
            select(DeclarationVersion)
            .where(
                DeclarationVersion.declaration_id.in_(list(declaration_ids)),
                DeclarationVersion.status == "confirmed",
                DeclarationVersion.applies_from <= date(year, 12, 31),
            )
            .order_by(DeclarationVersion.applies_from, DeclarationVersion.number)
        )
    ).scalars()
    found: dict[str, list[DeclarationVersion]] = {}
    for v in rows:
        found.setdefault(v.declaration_id, []).append(v)
    return found
