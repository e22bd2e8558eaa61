"""Assessing a payer's year: preview, the wójt's decision (persons), self-assessment (DN-1)."""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.errors import DomainError, InvalidArgument, NotFound
from portal_platform.messaging.outbox import Outbox
from property_tax.assessment.models import Assessment, Installment
from property_tax.assessment.rules import (
    AT_ONCE_LIMIT,
    COMPANY_PERIODS,
    PERSON_PERIODS,
    NothingToAssess,
    Period,
    Plan,
    Previous,
    monthly_tax,
    object_tax,
    plan,
)
from property_tax.filings import service as filings
from property_tax.filings.models import Filing
from property_tax.filings.rules import fraction_text
from property_tax.messaging.charges import ChargeOut, queue_charges
from property_tax.rates.catalog import CATEGORIES
from property_tax.rates.service import check_year, rate_bases, zl
from property_tax.taxpayers import service as taxpayers
from property_tax.taxpayers.models import Taxpayer


@dataclass(frozen=True)
class Authority:
    """Who issues decisions, and the rules of delivery."""

    name: str = "Wójt Gminy Ludwin"
    address: str = "Ludwin 51, 21-075 Ludwin"
    case_prefix: str = "PN.3120"
    delivery_days: int = 14


@dataclass
class Draft:
    """An assessment computed but not stored: the plan, its basis and the taxpayer."""

    taxpayer: Taxpayer
    year: int
    basis: str  # decision | declaration
    plan: Plan
    periods: tuple[Period, ...]
    objects: list[dict[str, Any]]
    filing_id: str
    previous: Assessment | None
    issued_on: date


def periods_of(kind: str) -> tuple[Period, ...]:
    return PERSON_PERIODS if kind == "person" else COMPANY_PERIODS


async def latest(session: AsyncSession, payer_id: str, year: int) -> Assessment | None:
    stmt = (
        select(Assessment)
        .where(Assessment.payer_id == payer_id, Assessment.year == year)
        .order_by(Assessment.version.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def previous_of(a: Assessment | None) -> Previous | None:
    if a is None:
        return None
    return Previous(
        a.tax_grosze,
        tuple(Fraction(x) for x in a.monthly),
        {i.number: i.amount_grosze for i in a.installments},
    )


async def compute(
    session: AsyncSession,
    payer_id: str,
    year: int,
    *,
    issued_on: date,
    authority: Authority,
    extra: Filing | None = None,
) -> Draft:
    """The assessment the payer's confirmed filings (and `extra`, a draft) give for `year`."""
    check_year(year)
    payer = await taxpayers.get(session, payer_id)
    found = await filings.confirmed(session, payer_id, before=date(year, 12, 1))
    if extra is not None and all(f.id != extra.id for f in found):
        found.append(extra)
    used: dict[str, Filing] = {}
    for month in range(1, 13):
        f = _in_force(found, date(year, month, 1))
        if f is not None:
            used.setdefault(f.id, f)
    rates = await rate_bases(session, year, {o.category for f in used.values() for o in f.objects})
    states = [(f.effective_from, filings.basis(f.objects)) for f in used.values()]
    monthly = monthly_tax(year, states, rates)
    prev = await latest(session, payer_id, year)
    periods = periods_of(payer.kind)
    try:
        p = plan(
            year=year, monthly=monthly, periods=periods, previous=previous_of(prev),
            at_once_limit=AT_ONCE_LIMIT if payer.kind == "person" else None,
            issued_on=issued_on if payer.kind == "person" else None,
            delivery_days=authority.delivery_days,
        )  # fmt: skip
    except NothingToAssess as exc:
        if exc.no_obligation:
            raise DomainError(
                f"Podatnik nie ma w {year} r. przedmiotów opodatkowania.",
                code="assessment.no_obligation", field="year",
            ) from None  # fmt: skip
        raise DomainError(
            f"Podstawa opodatkowania na {year} r. nie zmieniła się od decyzji {prev.number if prev else ''}.",
            code="assessment.unchanged", field="year",
        ) from None  # fmt: skip
    basis_filing = _in_force(list(used.values()), date(year, p.from_month, 1))
    objects = [_object_row(o, rates) for o in (basis_filing.objects if basis_filing else [])]
    return Draft(
        payer, year, "decision" if payer.kind == "person" else "declaration", p, periods,
        objects, basis_filing.id if basis_filing else "", prev, issued_on,
    )  # fmt: skip


def _in_force(found: list[Filing], first: date) -> Filing | None:
    """The filing in force on `first`: latest effective date, then the latest filed."""
    chosen = None
    for f in found:
        if f.effective_from <= first and (
            chosen is None or f.effective_from >= chosen.effective_from
        ):
            chosen = f
    return chosen


def _object_row(o: Any, rates: Any) -> dict[str, Any]:
    cat = CATEGORIES[o.category]
    r = rates[o.category]
    tax = object_tax(filings.basis([o])[0], r)
    return {
        "category": o.category,
        "label": cat.label,
        "location": o.location,
        "unit": cat.unit,
        "area": format(o.area.normalize(), "f") if not cat.by_value else "",
        "area_reduced": format(o.area_reduced.normalize(), "f") if o.area_reduced else "",
        "value_grosze": o.value_grosze,
        "share": fraction_text(o.share),
        "co_owners": [
            [c.name, fraction_text(Fraction(c.share_num, c.share_den))] for c in o.co_owners
        ],
        "rate_grosze": r.rate_grosze,
        "rate_percent": format(r.rate_percent.normalize(), "f") if cat.by_value else "",
        "tax": f"{tax.numerator}/{tax.denominator}",
    }


async def _next_number(session: AsyncSession, prefix: str, year: int) -> str:
    count = (
        await session.execute(
            select(func.count()).select_from(Assessment).where(Assessment.year == year)
        )
    ).scalar_one()
    return f"{prefix}.{year}.{count + 1:05d}"


async def store(
    session: AsyncSession, outbox: Outbox, d: Draft, *, actor: str, authority: Authority
) -> Assessment:
    """Store the assessment and its installments; request the new charges from billing."""
    p = d.plan
    prefix = authority.case_prefix if d.basis == "decision" else "DN-1"
    a = Assessment(
        id=str(uuid.uuid4()), payer_id=d.taxpayer.payer_id, year=d.year, basis=d.basis,
        version=(d.previous.version + 1) if d.previous else 1,
        number=await _next_number(session, prefix, d.year), from_month=p.from_month,
        issued_on=d.issued_on, issued_by=actor[:100], tax_grosze=p.tax_grosze,
        previous_tax_grosze=d.previous.tax_grosze if d.previous else 0,
        monthly=[f"{m.numerator}/{m.denominator}" for m in p.monthly], objects=d.objects,
        at_once=p.at_once, reduction_grosze=p.reduction, filing_id=d.filing_id,
        created_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(a)
    rows = []
    for period in d.periods:
        amount, delta = p.amounts.get(period.number, 0), p.deltas.get(period.number, 0)
        if not amount and not delta:
            continue
        rows.append(
            Installment(
                assessment_id=a.id, number=period.number, label=period.label,
                due_date=p.due[period.number], amount_grosze=amount,
                charged_grosze=delta,
                idempotency_key=f"{a.id}:{period.number}" if delta else "",
            )
        )  # fmt: skip
    session.add_all(rows)
    await session.flush()
    if d.basis == "decision":
        # fpdf2 is loaded on the first decision, not at start-up (idle memory)
        from property_tax.assessment.document import render_decision

        a.document = render_decision(d, a, rows, authority)
    earlier = await _charged_before(session, d.taxpayer.payer_id, d.year, a.id)
    await queue_charges(session, outbox, _charges(d, a, rows, earlier))
    await session.flush()
    return await get(session, a.id)


async def _charged_before(
    session: AsyncSession, payer_id: str, year: int, current_id: str
) -> dict[int, str]:
    """Installment number → billing key of the latest earlier charge of it (what a decrease
    lowers)."""
    rows = await session.execute(
        select(Installment.number, Installment.idempotency_key)
        .join(Assessment, Assessment.id == Installment.assessment_id)
        .where(
            Assessment.payer_id == payer_id,
            Assessment.year == year,
            Assessment.id != current_id,
            Installment.charged_grosze > 0,
        )
        .order_by(Assessment.version)
    )
    return {number: key for number, key in rows.all() if key}


def _charges(
    d: Draft, a: Assessment, rows: list[Installment], earlier: dict[int, str]
) -> list[ChargeOut]:
    """Increases as decision/installment charges; a decrease lowers the installment's earlier
    charge (billing keeps what was paid as credit: zaliczenie na poczet rat lub zwrot)."""
    t = d.taxpayer
    out: list[ChargeOut] = []
    by_number = {p.number: p for p in d.periods}
    change = f", zmiana od {a.from_month:02d}.{a.year}" if a.version > 1 else ""
    for i in (r for r in rows if r.charged_grosze):
        period = by_number[i.number]
        first = not out and a.basis == "decision"
        what = "jednorazowo" if a.at_once else period.label
        title = (
            f"Decyzja {a.number} — podatek od nieruchomości {a.year}{change}, {what}"
            if first
            else f"Podatek od nieruchomości {a.year} — {what} ({a.number})"
        )
        out.append(
            ChargeOut(
                payer_id=t.payer_id, idempotency_key=i.idempotency_key,
                kind=_kind(a, first, i.charged_grosze), title=title,
                description=f"Podatek od nieruchomości {a.year} — {what}{change}",
                amount_grosze=i.charged_grosze, due_date=i.due_date,
                period_from=date(a.year, min(period.months), 1),
                period_to=_month_end(a.year, max(period.months)),
                payer_name=t.name, payer_address=t.address,
                payer_nip=t.identifier if t.kind == "company" else "",
                document=a.document if first else None,
                document_name=f"decyzja_{a.number.replace('.', '_')}.pdf",
                corrects_key=earlier.get(i.number, "") if i.charged_grosze < 0 else "",
            )
        )  # fmt: skip
    return out


def _kind(a: Assessment, first: bool, amount: int) -> str:
    """A decision's first charge carries it; a decrease is part of the decision that lowers
    the tax (or, for a company's DN-1, a correction); other increases are installments."""
    if amount < 0:
        return "decision" if a.basis == "decision" else "correction"
    return "decision" if first else "installment"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


async def preview(
    session: AsyncSession, payer_id: str, year: int, *, issued_on: date, authority: Authority
) -> Draft:
    return await compute(session, payer_id, year, issued_on=issued_on, authority=authority)


async def issue_decision(
    session: AsyncSession, outbox: Outbox, payer_id: str, year: int, *, issued_on: date,
    actor: str, authority: Authority,
) -> Assessment:  # fmt: skip
    """The wójt's decision (yearly, or a change from the month after an event)."""
    payer = await taxpayers.get(session, payer_id)
    if payer.kind != "person":
        raise DomainError(
            "Osoba prawna oblicza podatek sama w deklaracji DN-1 — decyzji się nie wydaje.",
            code="assessment.company", field="payer_id",
        )  # fmt: skip
    if issued_on.year > year + 5 or issued_on.year < year - 5:
        raise InvalidArgument("Data decyzji nie pasuje do roku podatkowego.", field="issued_on")
    d = await compute(session, payer_id, year, issued_on=issued_on, authority=authority)
    return await store(session, outbox, d, actor=actor, authority=authority)


async def check_declared(session: AsyncSession, filing: Filing, authority: Authority) -> None:
    """A DN-1's declared tax must match what the gmina's rates give."""
    if filing.form != "DN-1" or filing.declared_tax_grosze is None:
        return
    d = await compute(session, filing.payer_id, filing.year, issued_on=filing.filed_on,
                      authority=authority, extra=filing)  # fmt: skip
    if d.plan.tax_grosze != filing.declared_tax_grosze:
        raise InvalidArgument(
            f"Kwota podatku w deklaracji ({zl(filing.declared_tax_grosze)}) różni się od "
            f"wyliczonej według stawek gminy ({zl(d.plan.tax_grosze)}).",
            field="declared_tax",
        )


async def self_assess(
    session: AsyncSession, outbox: Outbox, filing: Filing, *, actor: str, authority: Authority
) -> Assessment | None:
    """A confirmed DN-1: monthly installments due on the 15th (January: the 31st)."""
    if filing.form != "DN-1" or filing.status != "confirmed":
        return None
    try:
        d = await compute(session, filing.payer_id, filing.year, issued_on=filing.filed_on,
                          authority=authority)  # fmt: skip
    except DomainError as exc:
        if exc.code == "assessment.unchanged":
            return None
        raise
    return await store(session, outbox, d, actor=actor, authority=authority)


async def get(session: AsyncSession, assessment_id: str) -> Assessment:
    stmt = select(Assessment).where(Assessment.id == assessment_id)
    found = (
        await session.execute(stmt.execution_options(populate_existing=True))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("Nie ma takiej decyzji.", field="assessment_id")
    return found


async def list_for(session: AsyncSession, payer_id: str, year: int = 0) -> list[Assessment]:
    stmt = select(Assessment).where(Assessment.payer_id == payer_id)
    if year:
        stmt = stmt.where(Assessment.year == year)
    stmt = stmt.order_by(Assessment.year.desc(), Assessment.version.desc())
    return list((await session.execute(stmt)).scalars())
