"""CSRF protection for server-rendered forms: a per-session token checked on every POST."""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request

FIELD = "csrf_token"
HEADER = "x-csrf-token"


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use); put it in every form as `csrf_token`."""
    token = request.session.get(FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[FIELD] = token
    return str(token)


async def verify_csrf(request: Request) -> None:
    """FastAPI dependency for state-changing routes: 403 unless the form/header token matches."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get(FIELD, "")
    sent = request.headers.get(HEADER, "")
    if not sent:
        form = await request.form()
        sent = str(form.get(FIELD, ""))
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise HTTPException(
            status_code=403,
            detail="Formularz wygasł lub nie pochodzi z tej strony. Odśwież stronę i spróbuj ponownie.",
        )
