"""The forced password change: an account whose password someone else set replaces it first.

Reached only from the login just made (this session, within a few minutes); until the owner
sets a password of their own, /authorize sends them back here and issues no code.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import RedirectResponse, Response

from identity.accounts import login as logins
from identity.accounts import service as accounts
from identity.accounts.models import Account
from identity.web.i18n import language, translator
from identity.web.login import CHANGE_PASSWORD_PATH
from identity.web.render import client_address, error_map, render, safe_next
from portal_platform.csrf import verify_csrf

router = APIRouter()


async def _account(session: AsyncSession, request: Request) -> Account | None:
    """The account this session logged in, if the session is still valid for it."""
    uid = request.session.get("uid")
    account = await accounts.get(session, str(uid)) if uid else None
    if account is None or account.security_stamp != request.session.get("stamp"):
        return None
    if account.state not in ("active", "verified"):
        return None
    if account.is_staff and "otp" not in str(request.session.get("amr", "")):
        return None
    return account


def _fresh(request: Request) -> bool:
    window_s = int(request.app.state.settings.password_change_window_min) * 60
    return time.time() - int(request.session.get("auth_time", 0)) <= window_s


def _next(request: Request) -> str:
    return safe_next(request.session.get("next"))


def _log_in_again(request: Request) -> Response:
    """The login page, saying that the time ran out; the session ends."""
    target, lang = _next(request), language(request)
    request.session.clear()
    request.session["lang"] = lang
    return render(
        request,
        "login.html",
        401,
        next=target,
        notice=translator(lang)("change_password_expired"),
    )


@router.get(CHANGE_PASSWORD_PATH)
async def change_form(request: Request) -> Response:
    async with request.app.state.runtime.db.sessions() as session:
        account = await _account(session, request)
    if account is None:
        return RedirectResponse("/logowanie", status_code=303)
    if not account.must_change_password:
        return RedirectResponse(_next(request), status_code=303)
    if not _fresh(request):
        return _log_in_again(request)
    return render(request, "change_password.html")


@router.post(CHANGE_PASSWORD_PATH, dependencies=[Depends(verify_csrf)])
async def change(request: Request) -> Response:
    form = await request.form()
    data = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    async with request.app.state.runtime.db.transaction() as session:
        account = await _account(session, request)
        if account is None:
            return RedirectResponse("/logowanie", status_code=303)
        if not account.must_change_password:
            return RedirectResponse(_next(request), status_code=303)
        if not _fresh(request):
            return _log_in_again(request)
        errors = await logins.replace_initial_password(
            session,
            request.app.state.ctx,
            account,
            data.get("new_password", ""),
            data.get("new_password_confirm", ""),
            client_address=client_address(request),
        )
        if not errors:
            # other sessions ended with the new stamp; this one goes on
            request.session["stamp"] = account.security_stamp
    if errors:
        return render(request, "change_password.html", 422, errors=error_map(request, errors))
    # the authorization it continues is used once: opening this page again later leads home,
    # not back to a finished /authorize request (the client would see a state mismatch)
    target = _next(request)
    request.session.pop("next", None)
    return RedirectResponse(target, status_code=303)
