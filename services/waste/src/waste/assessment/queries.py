"""Reading installments of a payer with the keys of the charges booked for them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from waste.assessment.models import Installment, InstallmentCharge
from waste.properties.models import Property


@dataclass
class InstallmentView:
    installment: Installment
    address: str
    charge_keys: list[str]


async def installments_of(
    session: AsyncSession, payer_id: str, year: int = 0
) -> list[InstallmentView]:
    """The payer's installments (of one year, or all), by due date."""
    stmt = (
        select(Installment, Property.address)
        .join(Property, Property.id == Installment.property_id)
        .where(Installment.payer_id == payer_id)
        .order_by(Installment.year, Installment.due_date, Installment.number)
    )
    if year:
        stmt = stmt.where(Installment.year == year)
    rows = (await session.execute(stmt)).all()
    ids = [r[0].id for r in rows]
    keys: dict[str, list[str]] = {}
    if ids:
        for inst_id, key in await session.execute(
            select(InstallmentCharge.installment_id, InstallmentCharge.idempotency_key)
            .where(InstallmentCharge.installment_id.in_(ids), InstallmentCharge.kind != "credit")
            .order_by(InstallmentCharge.created_at)
        ):
            keys.setdefault(inst_id, []).append(key)
    return [InstallmentView(r[0], r[1], keys.get(r[0].id, [])) for r in rows]
