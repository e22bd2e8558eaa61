"""The yearly run: a decision for every natural person with objects and no decision yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from portal_platform.db import Database
from portal_platform.errors import DomainError
from portal_platform.messaging.outbox import Outbox
from property_tax.assessment import service as assessment
from property_tax.assessment.models import Assessment
from property_tax.assessment.service import Authority
from property_tax.audit.service import record
from property_tax.filings.models import Filing
from property_tax.rates.service import check_year
from property_tax.taxpayers.models import Taxpayer


@dataclass
class YearRun:
    """What the run did: decisions issued, payers already decided, problems per payer."""

    year: int
    issued: int = 0
    already_issued: int = 0
    total_grosze: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)


async def candidates(db: Database, year: int) -> tuple[list[str], int]:
    """Persons with a confirmed filing in force by December of `year`; and how many are decided."""
    async with db.sessions() as s:
        persons = (
            await s.execute(
                select(Taxpayer.payer_id)
                .where(Taxpayer.kind == "person")
                .where(
                    Taxpayer.payer_id.in_(
                        select(Filing.payer_id).where(
                            Filing.status == "confirmed", Filing.effective_from <= date(year, 12, 1)
                        )
                    )
                )
                .order_by(Taxpayer.payer_id)
            )
        ).scalars()
        decided = set(
            (await s.execute(select(Assessment.payer_id).where(Assessment.year == year))).scalars()
        )
    found = [p for p in persons if p not in decided]
    return found, len(decided)


async def issue_year(
    db: Database, outbox: Outbox, year: int, *, issued_on: date, actor: str,
    authority: Authority, batch: int = 200,
) -> YearRun:  # fmt: skip
    """One transaction per batch of payers; a payer that cannot be assessed is reported."""
    check_year(year)
    payers, decided = await candidates(db, year)
    run = YearRun(year, already_issued=decided)
    for start in range(0, len(payers), batch):
        async with db.transaction() as s:
            for payer_id in payers[start : start + batch]:
                try:
                    draft = await assessment.compute(
                        s, payer_id, year, issued_on=issued_on, authority=authority
                    )
                except DomainError as exc:
                    if exc.code != "assessment.no_obligation":
                        run.problems.append((payer_id, exc.message))
                    continue
                a = await assessment.store(s, outbox, draft, actor=actor, authority=authority)
                run.issued += 1
                run.total_grosze += a.tax_grosze
            await record(s, actor=actor, action="property_tax.decisions.issued", object_id=str(year),
                         after={"issued": run.issued, "problems": len(run.problems)})  # fmt: skip
    return run
