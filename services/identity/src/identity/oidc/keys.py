"""Signing keys: the newest signs, the previous one stays published so rotation logs nobody out."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.clock import now
from identity.oidc.models import SigningKey
from portal_platform.db import Database

PUBLISHED_KEYS = 2  # the signing key and the one before it
ALG = "RS256"


def _generate() -> SigningKey:
    kid = f"{time.strftime('%Y%m%d')}-{uuid.uuid4().hex[:8]}"
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": ALG})
    return SigningKey(kid=kid, private_jwk=json.dumps(key.as_dict(private=True)), created_at=now())


async def published(session: AsyncSession) -> Sequence[SigningKey]:
    rows = await session.execute(
        select(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc())
    )
    return rows.scalars().all()


async def ensure_key(session: AsyncSession) -> None:
    """Create the first key when there is none."""
    if not await published(session):
        session.add(_generate())


async def rotate(session: AsyncSession) -> str:
    """Add a new signing key; keys older than the previous one leave the JWKS. Returns the new kid."""
    key = _generate()
    session.add(key)
    await session.flush()
    for old in list(await published(session))[PUBLISHED_KEYS:]:
        old.retired_at = now()
    await session.flush()
    return key.kid


class KeyRing:
    """The published keys in memory (reloaded every `ttl_s`, or when asked)."""

    def __init__(self, ttl_s: float = 30.0) -> None:
        self.ttl_s = ttl_s
        self._keys: list[RSAKey] = []
        self._loaded = 0.0

    async def refresh(self, db: Database, *, force: bool = False) -> None:
        """Reload the published keys when stale; create the first key when there is none."""
        if not force and self._keys and time.monotonic() - self._loaded < self.ttl_s:
            return
        async with db.transaction() as session:
            await ensure_key(session)
            rows = await published(session)
        self._keys = [RSAKey.import_key(json.loads(r.private_jwk)) for r in rows]
        self._loaded = time.monotonic()

    @property
    def signing(self) -> RSAKey:
        if not self._keys:
            raise RuntimeError("no signing key loaded")
        return self._keys[0]

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet(list(self._keys)).as_dict(private=False))

    def key_set(self) -> KeySet:
        return KeySet(list(self._keys))

    def sign(self, claims: dict[str, Any], *, typ: str = "JWT") -> str:
        key = self.signing
        return jwt.encode({"alg": ALG, "kid": key.kid, "typ": typ}, claims, key)
