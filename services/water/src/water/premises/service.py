"""Premises, meters and their replacement; customer groups and deadlines."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from portal_platform.errors import Conflict, InvalidArgument, NotFound
from water.access import Scope
from water.policy import Policy, today
from water.premises.models import CustomerGroup, Meter, Premises, ReadingDeadline
from water.readings.models import Reading, ReadingValue
from water.readings.rules import KINDS, check_not_lower, parse_m3
from water.settlements import service as settlements

NOT_FOUND = "Nie znaleziono punktu poboru."
METER_NOT_FOUND = "Nie znaleziono wodomierza."


async def list_groups(session: AsyncSession) -> list[tuple[CustomerGroup, list[ReadingDeadline]]]:
    groups = (
        await session.execute(select(CustomerGroup).order_by(CustomerGroup.position))
    ).scalars()
    deadlines = (
        await session.execute(
            select(ReadingDeadline).order_by(ReadingDeadline.month, ReadingDeadline.day)
        )
    ).scalars()
    by_group: dict[str, list[ReadingDeadline]] = {}
    for d in deadlines:
        by_group.setdefault(d.group_code, []).append(d)
    return [(g, by_group.get(g.code, [])) for g in groups]


async def get_premises(session: AsyncSession, scope: Scope, premises_id: str) -> Premises:
    """A premises the caller may see; someone else's is reported as missing."""
    premises = (
        await session.get(Premises, premises_id, options=[joinedload(Premises.meters)])
        if premises_id
        else None
    )
    if premises is None or not scope.allows(premises.payer_id):
        raise NotFound(NOT_FOUND)
    return premises


async def list_premises(
    session: AsyncSession, scope: Scope, *, payer_id: str = "", query: str = "", limit: int = 100
) -> list[Premises]:
    stmt = select(Premises)
    if payer_id:
        scope.require_payer(payer_id)
        stmt = stmt.where(Premises.payer_id == payer_id)
    elif not scope.is_staff:
        stmt = stmt.where(Premises.payer_id.in_(sorted(scope.payers or ())))
    if query and scope.is_staff:
        like = f"%{query.strip()}%"
        stmt = stmt.where(
            or_(
                Premises.number.ilike(like),
                Premises.address.ilike(like),
                Premises.payer_id.ilike(like),
            )
        )
    stmt = stmt.order_by(Premises.number).limit(max(1, min(limit or 100, 500)))
    return list((await session.execute(stmt)).scalars())


async def create_premises(
    session: AsyncSession, *, payer_id: str, number: str, address: str, group: str, sewer: bool
) -> Premises:
    payer_id, address, number = payer_id.strip(), address.strip(), number.strip()
    if not payer_id:
        raise InvalidArgument("Podaj numer kartoteki płatnika.", field="payer_id")
    if len(payer_id) > 32:
        raise InvalidArgument("Numer kartoteki jest za długi.", field="payer_id")
    if not address:
        raise InvalidArgument("Podaj adres punktu poboru.", field="address")
    if await session.get(CustomerGroup, group) is None:
        raise InvalidArgument("Wybierz grupę odbiorców.", field="group")
    if not number:
        count = (await session.execute(select(func.count()).select_from(Premises))).scalar_one()
        number = f"PP-{count + 1:06d}"
    if (await session.execute(select(Premises.id).where(Premises.number == number))).first():
        raise Conflict(f"Punkt poboru o numerze {number} już istnieje.", field="number")
    premises = Premises(
        id=str(uuid.uuid4()),
        number=number[:32],
        payer_id=payer_id,
        address=address[:200],
        group_code=group,
        sewer=sewer,
        created_at=datetime.now(UTC),
    )
    session.add(premises)
    await session.flush()
    await session.refresh(premises, ["meters", "group"])
    return premises


def _check_meter_input(kind: str, serial: str, installed_on: date | None, digits: int) -> None:
    if kind not in KINDS:
        raise InvalidArgument("Wybierz rodzaj wodomierza.", field="kind")
    if not serial.strip() or len(serial.strip()) > 40:
        raise InvalidArgument("Podaj numer fabryczny wodomierza.", field="serial")
    if installed_on is None:
        raise InvalidArgument("Podaj datę montażu.", field="installed_on")
    if installed_on > today():
        raise InvalidArgument("Data montażu nie może być z przyszłości.", field="installed_on")
    if not 3 <= digits <= 9:
        raise InvalidArgument("Liczba cyfr licznika musi wynosić od 3 do 9.", field="digits")


async def install_meter(
    session: AsyncSession,
    *,
    premises_id: str,
    kind: str,
    serial: str,
    installed_on: date | None,
    initial_raw: str,
    legalised_on: date | None,
    digits: int = 5,
    replaces_id: str | None = None,
) -> Meter:
    """Install a meter; one active meter of a kind per premises at a time."""
    premises = await get_premises(session, Scope("staff", None), premises_id)
    digits = digits or 5
    _check_meter_input(kind, serial, installed_on, digits)
    assert installed_on is not None
    initial = parse_m3(initial_raw, field="initial_m3", label="stan początkowy", digits=digits)
    for m in premises.meters:
        if (
            m.kind == kind
            and m.id != replaces_id
            and (m.removed_on is None or m.removed_on > installed_on)
        ):
            raise Conflict(
                f"W tym punkcie jest już zamontowany wodomierz tego rodzaju (nr {m.serial}). "
                "Użyj wymiany wodomierza.",
                field="kind",
            )
    meter = Meter(
        id=str(uuid.uuid4()),
        premises_id=premises.id,
        kind=kind,
        serial=serial.strip(),
        installed_on=installed_on,
        initial_m3=initial,
        legalised_on=legalised_on,
        digits=digits,
        replaces_id=replaces_id,
        created_at=datetime.now(UTC),
    )
    session.add(meter)
    await session.flush()
    return meter


async def replace_meter(
    session: AsyncSession,
    *,
    meter_id: str,
    replaced_on: date | None,
    final_raw: str,
    new_serial: str,
    new_initial_raw: str,
    new_legalised_on: date | None,
    new_digits: int,
    by: str,
) -> tuple[Meter, Meter]:
    """Take a meter off with its final reading and put a new one on with its initial reading."""
    found = await session.get(Meter, meter_id) if meter_id else None
    if found is None:
        raise NotFound(METER_NOT_FOUND)
    premises = await get_premises(session, Scope("staff", None), found.premises_id)
    old = next(m for m in premises.meters if m.id == meter_id)
    if old.removed_on is not None:
        raise Conflict(f"Wodomierz {old.serial} został już zdemontowany.", field="meter_id")
    if replaced_on is None:
        raise InvalidArgument("Podaj datę wymiany.", field="replaced_on")
    if replaced_on < old.installed_on:
        raise InvalidArgument(
            f"Data wymiany jest wcześniejsza niż montaż ({old.installed_on:%d.%m.%Y}).",
            field="replaced_on",
        )
    state = await settlements.load_state(session, premises)
    if state.last_actual is not None and replaced_on < state.start_date:
        raise InvalidArgument(
            f"Data wymiany jest wcześniejsza niż ostatni rozliczony odczyt "
            f"({state.start_date:%d.%m.%Y}).",
            field="replaced_on",
        )
    final = parse_m3(final_raw, field="final_m3", label="stan końcowy", digits=old.digits)
    info = settlements.meter_info(old)
    try:
        check_not_lower(info, final, state.previous_value(info), rollover=False)
    except InvalidArgument as exc:
        raise InvalidArgument(exc.message, field="final_m3", code=exc.code) from None
    old.removed_on = replaced_on
    old.final_m3 = final
    await session.flush()
    new = await install_meter(
        session,
        premises_id=old.premises_id,
        kind=old.kind,
        serial=new_serial,
        installed_on=replaced_on,
        initial_raw=new_initial_raw,
        legalised_on=new_legalised_on,
        digits=new_digits or old.digits,
        replaces_id=old.id,
    )
    # The replacement record shows in the reading history; it is never invoiced by itself.
    reading = Reading(
        id=str(uuid.uuid4()),
        premises_id=old.premises_id,
        payer_id=premises.payer_id,
        reading_date=replaced_on,
        source="replacement",
        status="accepted",
        flagged=False,
        flag_note="",
        reason=f"Wymiana wodomierza {old.serial} na {new.serial}",
        idempotency_token=None,
        created_at=datetime.now(UTC),
        created_by=by,
        decided_at=datetime.now(UTC),
        decided_by=by,
        settlement_id=None,
        values=[
            ReadingValue(
                meter_id=old.id,
                value_m3=final,
                submitted_m3=final,
                previous_m3=state.previous_value(info),
                rollover=False,
            ),
            ReadingValue(
                meter_id=new.id,
                value_m3=new.initial_m3,
                submitted_m3=new.initial_m3,
                previous_m3=new.initial_m3,
                rollover=False,
            ),
        ],
    )
    session.add(reading)
    await session.flush()
    return old, new


def legalisation_expires(meter: Meter, policy: Policy) -> date | None:
    if meter.legalised_on is None:
        return None
    d = meter.legalised_on
    try:
        return d.replace(year=d.year + policy.legalisation_years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + policy.legalisation_years, day=28)


def legalisation_due(meter: Meter, policy: Policy, on: date | None = None) -> bool:
    """Expired or expiring within the warning period (installed meters only)."""
    expires = legalisation_expires(meter, policy)
    if expires is None or meter.removed_on is not None:
        return False
    return expires <= (on or today()) + timedelta(days=policy.legalisation_warn_days)


async def list_meters(
    session: AsyncSession, policy: Policy, *, due_only: bool, query: str, limit: int
) -> list[tuple[Meter, Premises]]:
    stmt = select(Meter, Premises).join(Premises, Premises.id == Meter.premises_id)
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Meter.serial.ilike(like), Premises.number.ilike(like)))
    if due_only:
        cutoff = today() + timedelta(days=policy.legalisation_warn_days)
        superset = date(cutoff.year - policy.legalisation_years + 1, 1, 1)
        stmt = stmt.where(Meter.removed_on.is_(None), Meter.legalised_on < superset)
    stmt = stmt.order_by(Meter.legalised_on, Meter.serial).limit(max(1, min(limit or 200, 1000)))
    rows: Sequence[tuple[Meter, Premises]] = [
        (m, p) for m, p in (await session.execute(stmt)).all()
    ]
    if due_only:
        rows = [(m, p) for m, p in rows if legalisation_due(m, policy)]
    return list(rows)
