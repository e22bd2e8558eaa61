"""Integration events of identity (protobuf), queued through the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from identity.accounts.models import Account
from portal.identity.v1 import identity_pb2
from portal_platform.messaging.outbox import Outbox

ACTIVATION = "portal.identity.activation.requested.v1"
PASSWORD_RESET = "portal.identity.password_reset.requested.v1"
DUPLICATE = "portal.identity.registration.duplicate.v1"


def account_subject(change: str) -> str:
    return f"portal.identity.account.{change}.v1"


async def activation_requested(
    session: AsyncSession, outbox: Outbox, account: Account, url: str, expires: datetime
) -> None:
    ev = identity_pb2.ActivationRequested(
        account_id=account.id,
        email=account.email,
        display_name=account.display_name,
        activation_url=url,
        language=account.language,
    )
    ev.expires_at.FromDatetime(expires)
    await outbox.add(session, ACTIVATION, ev)


async def password_reset_requested(
    session: AsyncSession, outbox: Outbox, account: Account, url: str, expires: datetime
) -> None:
    ev = identity_pb2.PasswordResetRequested(
        account_id=account.id,
        email=account.email,
        display_name=account.display_name,
        reset_url=url,
        language=account.language,
    )
    ev.expires_at.FromDatetime(expires)
    await outbox.add(session, PASSWORD_RESET, ev)


async def duplicate_registration(
    session: AsyncSession, outbox: Outbox, account: Account, login_url: str, reset_url: str
) -> None:
    ev = identity_pb2.DuplicateRegistrationAttempted(
        account_id=account.id,
        email=account.email,
        display_name=account.display_name,
        login_url=login_url,
        reset_url=reset_url,
        language=account.language,
    )
    await outbox.add(session, DUPLICATE, ev)


async def account_changed(
    session: AsyncSession,
    outbox: Outbox,
    account: Account,
    change: str,
    payer_id: str = "",
    *,
    locked_until: datetime | None = None,
) -> None:
    """The change with the account's address and language (notify mails security notices)."""
    ev = identity_pb2.AccountChanged(
        account_id=account.id,
        change=change,
        payer_id=payer_id,
        state=account.state,
        email=account.email,
        display_name=account.display_name,
        language=account.language,
    )
    if locked_until is not None:
        ev.locked_until.FromDatetime(locked_until)
    await outbox.add(session, account_subject(change), ev)
