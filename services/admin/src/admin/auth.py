"""Who is logged in to the back office, and the dependency that guards every route.

The OIDC login (Authlib Starlette client against identity, TOTP enforced by identity for
clerks) lives in the account feature; it stores the user in the session under "user".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fastapi import Request

from portal_platform.auth import Principal
from portal_platform.oidc_client import current_session_user

STAFF_ROLES = ("clerk", "admin")


@dataclass(frozen=True)
class CurrentClerk:
    """The logged-in clerk or admin with the access token for gRPC calls."""

    subject: str
    name: str
    email: str
    access_token: str
    roles: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def to_session(self) -> dict[str, object]:
        return asdict(self)


class LoginRequired(Exception):
    """Raised by `require_clerk` when nobody is logged in; the app redirects to login."""


class StaffOnly(Exception):
    """Raised by `require_clerk` for a logged-in user without a clerk or admin role."""


def current_clerk(request: Request) -> CurrentClerk | None:
    data = request.session.get("user") if "session" in request.scope else None
    if not data:
        return None
    try:
        return CurrentClerk(
            subject=str(data["subject"]),
            name=str(data.get("name", "")),
            email=str(data.get("email", "")),
            access_token=str(data["access_token"]),
            roles=tuple(data.get("roles", ())),
        )
    except (KeyError, TypeError):
        return None


def session_user(principal: Principal, access_token: str) -> dict[str, Any]:
    """The session's "user" dict for a verified access token."""
    claims = principal.claims
    return CurrentClerk(
        subject=principal.subject,
        name=str(claims.get("name", "")),
        email=str(claims.get("email", "")),
        access_token=access_token,
        roles=tuple(sorted(principal.roles)),
    ).to_session()


async def require_clerk(request: Request) -> CurrentClerk:
    """FastAPI dependency: a logged-in clerk or admin; residents are refused."""
    if not await current_session_user(request, session_user):
        raise LoginRequired()
    clerk = current_clerk(request)
    if clerk is None:
        raise LoginRequired()
    if not set(clerk.roles) & set(STAFF_ROLES):
        raise StaffOnly()
    return clerk
