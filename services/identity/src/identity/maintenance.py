"""Housekeeping: drop expired one-time links, codes, refresh tokens and old login failures."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from identity.accounts.models import LoginFailure, OneTimeLink
from identity.clock import now
from identity.oidc.models import AuthorizationCode, RefreshToken

SAMPLE = 0.01  # run on about one request in a hundred: no scheduler needed


async def purge(session: AsyncSession, *, failure_window: timedelta) -> None:
    """Delete what can no longer be used (kept a while for support questions)."""
    moment = now()
    await session.execute(
        delete(OneTimeLink).where(OneTimeLink.expires_at < moment - timedelta(days=7))
    )
    await session.execute(delete(LoginFailure).where(LoginFailure.at < moment - failure_window))
    await session.execute(delete(AuthorizationCode).where(AuthorizationCode.expires_at < moment))
    await session.execute(
        delete(RefreshToken).where(RefreshToken.expires_at < moment - timedelta(days=1))
    )


async def maybe_purge(session: AsyncSession, *, failure_window: timedelta) -> None:
    if random.random() < SAMPLE:
        await purge(session, failure_window=failure_window)
