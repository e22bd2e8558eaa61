"""Refunds of credit (overpayments) on the payer's request — a clerk's action."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from billing.context import today
from billing.ledger.models import Refund
from billing.payers.models import Payer
from portal_platform.errors import DomainError, InvalidArgument


def normalise_account(value: str) -> str:
    """An IBAN (PL assumed for 26 digits), validated with schwifty; raises InvalidArgument."""
    from schwifty import IBAN  # loaded on first use: keeps the idle service small
    from schwifty.exceptions import SchwiftyException

    v = value.replace(" ", "").replace("-", "").upper()
    if v.isdigit() and len(v) == 26:
        v = "PL" + v
    try:
        return str(IBAN(v).compact)
    except (SchwiftyException, ValueError):
        raise InvalidArgument(
            "Nieprawidłowy numer rachunku do zwrotu.", field="bank_account"
        ) from None


async def refund(
    session: AsyncSession, *, payer_id: str, amount: int, bank_account: str, reason: str, user: str
) -> tuple[Refund, int]:
    """Pay back part or all of the payer's credit; return the refund and the credit left."""
    if amount <= 0:
        raise InvalidArgument("Kwota zwrotu musi być dodatnia.", field="amount")
    if not reason.strip():
        raise InvalidArgument("Podaj podstawę zwrotu (np. wniosek płatnika).", field="reason")
    account = normalise_account(bank_account)
    payer = (
        (
            await session.execute(
                select(Payer)
                .where(Payer.id == payer_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .first()
    )
    if payer is None:
        raise InvalidArgument("Nie ma takiej kartoteki.", field="payer_id")
    if amount > payer.credit_grosze:
        raise DomainError(
            "Kwota zwrotu przekracza nadpłatę płatnika.",
            code="refund.exceeds_credit",
            field="amount",
        )
    row = Refund(
        id=str(uuid.uuid4()),
        payer_id=payer_id,
        amount_grosze=amount,
        bank_account=account,
        reason=reason.strip()[:500],
        refunded_on=today(),
        created_by=user[:100],
        created_at=datetime.now(UTC),
    )
    left = payer.credit_grosze - amount
    session.add(row)
    await session.execute(
        update(Payer).where(Payer.id == payer_id).values(credit_grosze=Payer.credit_grosze - amount)
    )
    await session.flush()
    return row, left
