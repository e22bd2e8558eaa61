"""A signing key for tests: issue tokens the way identity will, verify them with the platform."""

from __future__ import annotations

import time
import uuid
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class TestIssuer:
    """Holds an RSA key and signs access tokens with `kid`, `iss`, `aud`, roles and payers."""

    __test__ = False

    def __init__(self, issuer: str = "http://test-issuer", audience: str = "portal") -> None:
        self.issuer = issuer
        self.audience = audience
        self.key = RSAKey.generate_key(2048, parameters={"kid": uuid.uuid4().hex, "use": "sig"})

    @property
    def jwks(self) -> dict[str, Any]:
        return dict(KeySet([self.key]).as_dict(private=False))

    def token(
        self,
        sub: str = "user-1",
        *,
        roles: list[str] | None = None,
        payers: list[str] | None = None,
        ttl: int = 300,
        **extra: Any,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": sub,
            "iat": now,
            "exp": now + ttl,
            "roles": roles if roles is not None else ["resident"],
            "payers": payers or [],
            **extra,
        }
        header = {"alg": "RS256", "kid": self.key.kid}
        return jwt.encode(header, claims, self.key)
