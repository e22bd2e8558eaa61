"""Late interest per regime and the allocation of a payment (pure functions, no I/O).

Tax-like regime (Ordynacja podatkowa): interest = principal × days × rate / 365, rounded to
whole złoty, not charged when ≤ 8.70 zł; a partial payment is split between principal and
interest proportionally. Civil regime (water): statutory interest to the grosz; a payment
covers interest first (Kodeks cywilny art. 451).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from billing.ledger.rates import CIVIL_STATUTORY, TAX_MULTIPLIERS, TAX_STANDARD, RateTable, periods

TAX_THRESHOLD_GROSZE = 870


def exact_interest(principal: int, since: date, until: date, table: RateTable) -> Decimal:
    """Interest in grosze (unrounded) for the days after `since` up to `until` inclusive."""
    total = Decimal(0)
    for days, rate in periods(table, since, until):
        total += Decimal(principal) * days * rate / Decimal(36500)
    return total


def round_zloty(grosze: Decimal) -> int:
    """Half-up to whole złoty (Ordynacja podatkowa art. 63), in grosze."""
    return int((grosze / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * 100


@dataclass(frozen=True)
class TaxRegime:
    """Waste fee, taxes: whole złoty, threshold 8.70 zł, proportional split."""

    table: RateTable = TAX_STANDARD
    kind: str = "standard"
    name: str = "tax"

    def interest(self, principal: int, since: date, until: date) -> int:
        if principal <= 0 or until <= since:
            return 0
        exact = exact_interest(principal, since, until, self.table) * TAX_MULTIPLIERS[self.kind]
        rounded = round_zloty(exact)
        return 0 if rounded <= TAX_THRESHOLD_GROSZE else rounded

    def split(self, amount: int, principal: int, interest: int) -> tuple[int, int]:
        """(principal part, interest part) of a partial payment, proportional."""
        if interest <= 0:
            return amount, 0
        part = int(
            (Decimal(amount) * interest / (principal + interest)).quantize(
                Decimal(1), ROUND_HALF_UP
            )
        )
        return amount - part, part


@dataclass(frozen=True)
class CivilRegime:
    """Water: statutory interest for delay, to the grosz; interest is paid first."""

    table: RateTable = CIVIL_STATUTORY
    name: str = "civil"

    def interest(self, principal: int, since: date, until: date) -> int:
        if principal <= 0 or until <= since:
            return 0
        exact = exact_interest(principal, since, until, self.table)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def split(self, amount: int, principal: int, interest: int) -> tuple[int, int]:
        part = min(amount, interest)
        return amount - part, part


Regime = TaxRegime | CivilRegime


@dataclass
class OpenItem:
    """The state of one receivable that a payment may go to."""

    id: int
    kind: str  # charge | reminder_cost
    module: str
    charge_id: str | None
    due_date: date
    principal: int  # outstanding
    interest_owed: int
    interest_from: date

    def interest_at(self, regime: Regime, day: date) -> int:
        if self.kind != "charge":
            return self.interest_owed
        return self.interest_owed + regime.interest(self.principal, self.interest_from, day)


@dataclass(frozen=True)
class Applied:
    receivable_id: int
    kind: str  # principal | interest | reminder_cost
    amount: int
    module: str


@dataclass
class Allocation:
    applied: list[Applied] = field(default_factory=list)
    credit: int = 0

    @property
    def touched(self) -> set[int]:
        return {a.receivable_id for a in self.applied}


def order(items: Sequence[OpenItem], paid_on: date, indicated: Sequence[str]) -> list[OpenItem]:
    """Reminder costs, then the indicated charges, then arrears, then current items."""
    wanted = {c: i for i, c in enumerate(indicated)}

    def key(it: OpenItem) -> tuple[int, int, date, int]:
        if it.kind == "reminder_cost":
            return (0, 0, it.due_date, it.id)
        if it.charge_id in wanted:
            return (1, wanted[it.charge_id], it.due_date, it.id)
        return (2 if it.due_date < paid_on else 3, 0, it.due_date, it.id)

    return sorted(items, key=key)


def allocate(
    amount: int,
    paid_on: date,
    items: Sequence[OpenItem],
    regime_of: Callable[[str], Regime],
    indicated: Sequence[str] = (),
) -> Allocation:
    """Apply `amount` to the items (mutating their state); what is left becomes credit."""
    result = Allocation()
    left = amount
    for it in order(items, paid_on, indicated):
        if left <= 0:
            break
        if it.kind == "reminder_cost":
            pay = min(left, it.principal)
            if pay:
                result.applied.append(Applied(it.id, "reminder_cost", pay, it.module))
                it.principal -= pay
                left -= pay
            continue
        regime = regime_of(it.module)
        interest = it.interest_at(regime, paid_on)
        if it.principal + interest <= 0:
            continue
        if left >= it.principal + interest:
            principal_part, interest_part = it.principal, interest
        else:
            principal_part, interest_part = regime.split(left, it.principal, interest)
        if interest_part:
            result.applied.append(Applied(it.id, "interest", interest_part, it.module))
        if principal_part:
            result.applied.append(Applied(it.id, "principal", principal_part, it.module))
        it.principal -= principal_part
        it.interest_owed = interest - interest_part
        it.interest_from = max(it.interest_from, paid_on)
        left -= principal_part + interest_part
    result.credit = left
    return result


def reduce_principal(amount: int, items: Sequence[OpenItem]) -> Allocation:
    """A decrease of what was charged (a correction): it lowers the items' unpaid principal,
    oldest due first, never interest or reminder costs; what is left becomes credit."""
    result = Allocation()
    left = amount
    for it in sorted(items, key=lambda x: (x.due_date, x.id)):
        if left <= 0:
            break
        if it.kind != "charge" or it.principal <= 0:
            continue
        part = min(left, it.principal)
        result.applied.append(Applied(it.id, "principal", part, it.module))
        it.principal -= part
        left -= part
    result.credit = left
    return result
