"""Who is logged in to the resident UI, and the dependencies that guard feature routes.

The OIDC login itself (Authlib Starlette client against identity) lives in the account feature;
it stores the user in the session under "user" as the dict form of CurrentUser.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from fastapi import Request


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


def require_user(request: Request) -> CurrentUser:
    """FastAPI dependency: the logged-in user, or a redirect to the login page."""
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user


def require_verified(request: Request) -> CurrentUser:
    """FastAPI dependency: a user verified in the office (only they see financial data)."""
    user = require_user(request)
    if not user.verified:
        raise VerificationRequired()
    return user
