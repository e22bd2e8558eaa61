"""Turn events into mails: a notice to an address, or to every mailable account of a payer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from notify.mail import service as mail
from notify.mail.render import Renderer
from notify.mail.schemas import MailIn, Recipient
from notify.notices.rules import mailable


class Directory(Protocol):
    """Who can be mailed about a payer (identity's accounts linked to it)."""

    async def accounts_of_payers(self, payer_ids: Iterable[str]) -> dict[str, list[Recipient]]: ...


@dataclass(frozen=True)
class Notice:
    """One event's mail before its recipients are known: to `recipient`, or to `payer_id`."""

    event_id: str
    template: str
    category: str
    context: dict[str, Any] = field(default_factory=dict)
    payer_id: str = ""
    recipient: Recipient | None = None
    # mails of notices with the same key go once (e.g. one lock notice per account and day)
    once_key: str = ""


def expand(notices: Sequence[Notice], accounts: Mapping[str, list[Recipient]]) -> list[MailIn]:
    """One mail per notice and recipient; the dedup key is the event (or once_key) and the address."""
    mails = []
    for n in notices:
        targets = [n.recipient] if n.recipient else mailable(accounts.get(n.payer_id, []))
        for r in targets:
            if r is None:
                continue
            mails.append(
                MailIn(
                    dedup_key=f"{n.template}:{n.once_key or n.event_id}:{r.email.strip().lower()}",
                    recipient=r,
                    template=n.template,
                    category=n.category,
                    context={**n.context, "name": n.context.get("name") or r.name},
                    source_event_id=n.event_id,
                )
            )
    return mails


async def deliver_notices(
    session: AsyncSession,
    notices: Sequence[Notice],
    *,
    directory: Directory,
    renderer: Renderer,
    after: Callable[[], Awaitable[None] | None] | None = None,
) -> list[int]:
    """Resolve payers' accounts, then queue the mails in the caller's transaction."""
    payers = {n.payer_id for n in notices if n.payer_id and not n.recipient}
    accounts = await directory.accounts_of_payers(payers) if payers else {}
    ids = await mail.enqueue(session, expand(notices, accounts), renderer)
    if after is not None and ids:
        result = after()
        if result is not None:
            await result
    return ids
