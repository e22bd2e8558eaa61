"""Routes of the account feature: /logowanie, /auth/callback, /wyloguj, /konto, /konto/eksport."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import httpx
from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.auth import CurrentUser, current_user, require_user, session_user
from gateway.clients import service_channel
from gateway.web.i18n import language
from portal.identity.v1 import identity_pb2, identity_pb2_grpc
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError
from portal_platform.logging import get_logger
from portal_platform.oidc_client import SESSION_KEY, OidcLogin, current_session_user
from portal_platform.rpc.client import call

router = APIRouter()
log = get_logger(__name__)
User = Annotated[CurrentUser, Depends(require_user)]
STATES = {
    "active": "aktywne — czeka na potwierdzenie tożsamości w urzędzie",
    "verified": "zweryfikowane w urzędzie",
    "suspended": "zawieszone",
}


def _oidc(request: Request) -> OidcLogin:
    return request.app.state.oidc  # type: ignore[no-any-return]


def _safe_next(value: str | None) -> str:
    value = value or "/"
    return (
        value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"
    )


def _page(request: Request, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status_code)  # type: ignore[no-any-return]


@router.get("/logowanie")
async def login(request: Request, next: str = "/") -> Response:
    """Send the browser to identity; come back to `next` afterwards."""
    target = _safe_next(next)
    if current_user(request) is not None:
        return RedirectResponse(target, status_code=303)
    request.session["login_next"] = target
    try:
        redirect: Response = await _oidc(request).redirect_to_login(
            request, str(request.url_for("oidc_callback")), language()
        )
    except httpx.HTTPError as exc:
        return _login_unavailable(request, target, exc)
    return redirect


def _login_unavailable(request: Request, target: str, exc: Exception) -> Response:
    """identity did not answer (down, unreachable or too slow): say so, offer to try again."""
    log.warning("identity unavailable for login", error=repr(exc))
    retry = "/logowanie" if target == "/" else f"/logowanie?next={quote(target, safe='/')}"
    return _page(request, "account/login_unavailable.html", 503, retry_url=retry)


@router.get("/auth/callback", name="oidc_callback")
async def callback(request: Request) -> Response:
    try:
        principal, token = await _oidc(request).finish_login(request)
    except httpx.HTTPError as exc:
        return _login_unavailable(request, _safe_next(request.session.get("login_next")), exc)
    except (OAuthError, DomainError) as exc:
        log.info("login failed", error=str(exc))
        return _page(request, "account/login_failed.html", 400)
    request.session["user"] = session_user(principal, token)
    return RedirectResponse(_safe_next(request.session.pop("login_next", "/")), status_code=303)


@router.get("/wyloguj")
async def logout_page(request: Request) -> Response:
    if current_user(request) is None:
        return RedirectResponse("/", status_code=303)
    return _page(request, "account/logout.html")


@router.post("/wyloguj", dependencies=[Depends(verify_csrf)])
async def logout(request: Request) -> Response:
    """End the portal session here and at identity (which ends the single sign-on)."""
    await _oidc(request).revoke(request)
    request.session.clear()
    return RedirectResponse(
        _oidc(request).logout_url(str(request.url_for("home_after_logout"))), status_code=303
    )


@router.get("/wylogowano", name="home_after_logout")
async def logged_out(request: Request) -> Response:
    return _page(request, "account/logged_out.html")


@router.get("/konto")
async def profile(request: Request, user: User) -> Response:
    """Who I am, which payers I see, and my data (RODO export)."""
    if SESSION_KEY in request.session:
        await current_session_user(request, session_user, recheck_after_s=0)
        user = current_user(request) or user
    return _page(
        request,
        "account/profile.html",
        user=user,
        state_text=STATES.get(user.state, user.state),
        password_url=f"{_oidc(request).issuer}/haslo/reset",
    )


@router.get("/konto/eksport")
async def export(request: Request, user: User) -> Response:
    """Everything identity holds about the resident, as a JSON download."""
    stub = identity_pb2_grpc.IdentityServiceStub(service_channel(request, "identity"))
    resp = await call(
        stub.ExportAccountData,
        identity_pb2.ExportAccountDataRequest(account_id=user.subject),
        token=user.access_token,
    )
    return Response(
        resp.json,
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="moje-dane-portal-komunalny.json"',
            "Cache-Control": "no-store",
        },
    )
