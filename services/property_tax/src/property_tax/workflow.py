"""Steps that span filings and assessment, each in the caller's one transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.messaging.outbox import Outbox
from property_tax.assessment import service as assessment
from property_tax.assessment.models import Assessment
from property_tax.assessment.service import Authority
from property_tax.audit.service import record
from property_tax.filings import service as filings
from property_tax.filings.models import Filing
from property_tax.filings.schemas import FilingIn


async def file(
    session: AsyncSession, outbox: Outbox, data: FilingIn, authority: Authority
) -> tuple[Filing, Assessment | None]:
    """Store a filing; a DN-1's declared tax is checked, a confirmed one self-assessed."""
    filing = await filings.file(session, data)
    await assessment.check_declared(session, filing, authority)
    result = await assessment.self_assess(
        session, outbox, filing, actor=data.actor, authority=authority
    )
    if data.by_staff:
        await record(session, actor=data.actor, action="property_tax.filing.entered",
                     object_id=filing.id, after=filings.as_dict(filing))  # fmt: skip
    return filing, result


async def decide(
    session: AsyncSession, outbox: Outbox, filing_id: str, *, confirm: bool, actor: str,
    reason: str, authority: Authority,
) -> tuple[Filing, Assessment | None]:  # fmt: skip
    """Confirm a draft (a DN-1 is then self-assessed) or reject it."""
    before = filings.as_dict(await filings.get(session, filing_id))
    filing = await filings.decide(session, filing_id, confirm=confirm, actor=actor, reason=reason)
    if confirm:
        await assessment.check_declared(session, filing, authority)
    result = await assessment.self_assess(session, outbox, filing, actor=actor, authority=authority)
    await record(
        session, actor=actor,
        action="property_tax.filing.confirmed" if confirm else "property_tax.filing.rejected",
        object_id=filing.id, before=before, after=filings.as_dict(filing),
    )  # fmt: skip
    return filing, result
