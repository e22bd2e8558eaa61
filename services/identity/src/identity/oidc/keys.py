"""Signing keys: the newest signs, the previous one stays published so rotation logs nobody out.

Private keys are stored encrypted (Fernet, key derived from IDENTITY_SECRET_KEY with HKDF): a
copy of the database alone cannot mint tokens. Rows stored in plain JSON by earlier versions
are read and encrypted in place on the next load.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.clock import now
from identity.oidc.models import SigningKey
from portal_platform.db import Database

PUBLISHED_KEYS = 2  # the signing key and the one before it
ALG = "RS256"
SEALED = "fernet:"


class KeySeal:
    """Encrypts private keys for storage with a key derived from the service's secret."""

    def __init__(self, secret: str) -> None:
        derived = HKDF(
            algorithm=SHA256(), length=32, salt=b"portal-identity-signing-keys", info=b"v1"
        ).derive(secret.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, private_jwk: str) -> str:
        return SEALED + self._fernet.encrypt(private_jwk.encode()).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(SEALED):
            return stored  # plain JSON from an earlier version
        try:
            return self._fernet.decrypt(stored[len(SEALED) :].encode()).decode()
        except InvalidToken:
            raise RuntimeError(
                "the OIDC signing keys cannot be decrypted with IDENTITY_SECRET_KEY: the secret "
                "changed since they were stored; restore it, or retire the keys and rotate "
                "(everybody signs in again)"
            ) from None


def _generate(seal: KeySeal) -> SigningKey:
    kid = f"{time.strftime('%Y%m%d')}-{uuid.uuid4().hex[:8]}"
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": ALG})
    return SigningKey(
        kid=kid, private_jwk=seal.seal(json.dumps(key.as_dict(private=True))), created_at=now()
    )


async def published(session: AsyncSession) -> Sequence[SigningKey]:
    rows = await session.execute(
        select(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc())
    )
    return rows.scalars().all()


async def ensure_key(session: AsyncSession, seal: KeySeal) -> None:
    """Create the first key when there is none; encrypt keys stored in plain JSON."""
    rows = await published(session)
    if not rows:
        session.add(_generate(seal))
    for row in rows:
        if not row.private_jwk.startswith(SEALED):
            row.private_jwk = seal.seal(row.private_jwk)


async def rotate(session: AsyncSession, seal: KeySeal) -> str:
    """Add a new signing key; keys older than the previous one leave the JWKS. Returns the new kid."""
    key = _generate(seal)
    session.add(key)
    await session.flush()
    for old in list(await published(session))[PUBLISHED_KEYS:]:
        old.retired_at = now()
    await session.flush()
    return key.kid


class KeyRing:
    """The published keys in memory (reloaded every `ttl_s`, or when asked)."""

    def __init__(self, seal: KeySeal, ttl_s: float = 30.0) -> None:
        self.seal = seal
        self.ttl_s = ttl_s
        self._keys: list[RSAKey] = []
        self._loaded = 0.0

    async def refresh(self, db: Database, *, force: bool = False) -> None:
        """Reload the published keys when stale; create the first key when there is none."""
        if not force and self._keys and time.monotonic() - self._loaded < self.ttl_s:
            return
        async with db.transaction() as session:
            await ensure_key(session, self.seal)
            rows = await published(session)
            stored = [r.private_jwk for r in rows]
        self._keys = [RSAKey.import_key(json.loads(self.seal.open(x))) for x in stored]
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
