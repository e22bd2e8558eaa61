"""Access-token verification against identity's JWKS (cached; refreshed on an unknown key id)."""

from __future__ import annotations

import base64
import json
import time
from collections import OrderedDict
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from portal_platform.errors import PermissionDenied, Unauthenticated
from portal_platform.logging import get_logger

log = get_logger(__name__)

STAFF_ROLES = frozenset({"clerk", "admin"})
SERVICE_ROLE = "service"
ALGORITHMS = ["RS256", "ES256"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject, roles and the payers (kartoteki) it may see."""

    subject: str
    roles: frozenset[str] = frozenset()
    payers: frozenset[str] = frozenset()
    claims: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES) or SERVICE_ROLE in self.roles

    def require_role(self, *roles: str) -> None:
        if not self.roles & set(roles):
            raise PermissionDenied("Brak uprawnień do tej operacji.")

    def require_payer(self, payer_id: str) -> None:
        """Allow staff and services everywhere, a resident only for their linked payers."""
        if self.is_staff or payer_id in self.payers:
            return
        raise PermissionDenied("Brak dostępu do tej kartoteki.")


current_principal: ContextVar[Principal | None] = ContextVar("current_principal", default=None)


def principal() -> Principal:
    """The authenticated caller of the current gRPC call."""
    p = current_principal.get()
    if p is None:
        raise Unauthenticated("Brak uwierzytelnienia.")
    return p


def _b64json(segment: str) -> dict[str, Any]:
    padded = segment + "=" * (-len(segment) % 4)
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return data


class TokenVerifier:
    """Verifies signed JWT access tokens; keeps the JWKS and recent results in memory."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks: dict[str, Any] | None = None,
        jwks_url: str = "",
        cache_size: int = 10_000,
        refresh_min_interval_s: float = 30.0,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self._keys = KeySet.import_key_set(jwks) if jwks else KeySet([])  # type: ignore[arg-type]
        self._kids = {k.kid for k in self._keys.keys}
        self._cache: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._cache_size = cache_size
        self._refresh_min_interval_s = refresh_min_interval_s
        self._last_refresh = 0.0

    def set_jwks(self, jwks: dict[str, Any]) -> None:
        self._keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        self._kids = {k.kid for k in self._keys.keys}

    async def refresh(self) -> None:
        """Fetch the JWKS from identity (at most once per interval)."""
        if not self.jwks_url:
            return
        now = time.monotonic()
        if now - self._last_refresh < self._refresh_min_interval_s and self._kids:
            return
        self._last_refresh = now
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                resp = await client.get(self.jwks_url)
                resp.raise_for_status()
                self.set_jwks(resp.json())
        except Exception as exc:
            log.warning("JWKS refresh failed", url=self.jwks_url, error=str(exc))

    async def verify(self, token: str) -> Principal:
        """Return the token's principal or raise Unauthenticated."""
        now = time.time()
        hit = self._cache.get(token)
        if hit is not None:
            if hit[1] > now:
                return hit[0]
            self._cache.pop(token, None)
        try:
            header = _b64json(token.split(".", 1)[0])
        except Exception:
            raise Unauthenticated("Nieprawidłowy token dostępu.") from None
        if not isinstance(header, dict):
            raise Unauthenticated("Nieprawidłowy token dostępu.")
        if header.get("kid") not in self._kids:
            await self.refresh()
            if header.get("kid") not in self._kids:
                raise Unauthenticated("Token podpisany nieznanym kluczem.")
        principal_, exp = self._decode(token, now)
        self._cache[token] = (principal_, exp)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return principal_

    def _decode(self, token: str, now: float) -> tuple[Principal, float]:
        try:
            tok = jwt.decode(token, self._keys, algorithms=ALGORITHMS)
            registry = jwt.JWTClaimsRegistry(
                now=int(now),
                leeway=30,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                sub={"essential": True},
            )
            registry.validate(tok.claims)
        except JoseError as exc:
            raise Unauthenticated(f"Nieprawidłowy token dostępu ({exc.error}).") from None
        except ValueError:
            raise Unauthenticated("Nieprawidłowy token dostępu.") from None
        claims = tok.claims
        return (
            Principal(
                subject=str(claims["sub"]),
                roles=frozenset(_strings(claims.get("roles"))),
                payers=frozenset(_strings(claims.get("payers"))),
                claims=dict(claims),
            ),
            float(claims["exp"]),
        )


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value]
    return []
