"""Who is logged in to the resident UI, and the dependencies that guard feature routes.

The OIDC login itself (Authlib Starlette client against identity) lives in the account feature;
it stores the user in the session under "user" as the dict form of CurrentUser. The access
token is refreshed before it expires; an account that is not yet verified is re-checked at
identity (at most every RECHECK_S seconds), so a verification in the office shows at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from fastapi import Request

from portal_platform.auth import Principal
from portal_platform.oidc_client import current_session_user

RECHECK_S = 15


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in resident (or company) with the access token for gRPC calls."""

    subject: str
    name: str
    email: str
    state: str  # registered | active | verified | suspended
    access_token: str
    roles: tuple[str, ...] = ()
    payers: tuple[str, ...] = field(default_factory=tuple)

    @property
    def verified(self) -> bool:
        return self.state == "verified"

    def to_session(self) -> dict[str, object]:
        return asdict(self)


class LoginRequired(Exception):
    """Raised by `require_user`; the app redirects to the login page."""


class VerificationRequired(Exception):
    """Raised by `require_verified`; the app shows how to get verified in the office."""


def current_user(request: Request) -> CurrentUser | None:
    data = request.session.get("user") if "session" in request.scope else None
    if not data:
        return None
    try:
        return CurrentUser(
            subject=str(data["subject"]),
            name=str(data.get("name", "")),
            email=str(data.get("email", "")),
            state=str(data.get("state", "active")),
            access_token=str(data["access_token"]),
            roles=tuple(data.get("roles", ())),
            payers=tuple(data.get("payers", ())),
        )
    except (KeyError, TypeError):
        return None


def session_user(principal: Principal, access_token: str) -> dict[str, Any]:
    """The session's "user" dict for a verified access token."""
    claims = principal.claims
    return CurrentUser(
        subject=principal.subject,
        name=str(claims.get("name", "")),
        email=str(claims.get("email", "")),
        state=str(claims.get("state", "active")),
        access_token=access_token,
        roles=tuple(sorted(principal.roles)),
        payers=tuple(sorted(principal.payers)),
    ).to_session()


async def require_user(request: Request) -> CurrentUser:
    """FastAPI dependency: the logged-in user, or a redirect to the login page."""
    if not await current_session_user(request, session_user):
        raise LoginRequired()
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user


async def require_verified(request: Request) -> CurrentUser:
    """FastAPI dependency: a user verified in the office (only they see financial data)."""
    user = await require_user(request)
    if not user.verified:
        if not await current_session_user(request, session_user, recheck_after_s=RECHECK_S):
            raise LoginRequired()
        user = current_user(request) or user
    if not user.verified:
        raise VerificationRequired()
    return user
