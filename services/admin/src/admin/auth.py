"""Who is logged in to the back office, and the dependency that guards every route.

The OIDC login (Authlib Starlette client against identity, TOTP enforced by identity for
clerks) lives in the account feature; it stores the user in the session under "user".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from fastapi import Request

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


def require_clerk(request: Request) -> CurrentClerk:
    """FastAPI dependency: a logged-in clerk or admin; residents are refused."""
    clerk = current_clerk(request)
    if clerk is None:
        raise LoginRequired()
    if not set(clerk.roles) & set(STAFF_ROLES):
        raise StaffOnly()
    return clerk
