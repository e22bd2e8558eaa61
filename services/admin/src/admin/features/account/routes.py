"""Routes: /logowanie, /auth/callback, /wyloguj (staff only; identity asks for TOTP)."""

from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.auth import STAFF_ROLES, current_clerk, session_user
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError
from portal_platform.logging import get_logger
from portal_platform.oidc_client import OidcLogin

router = APIRouter()
log = get_logger(__name__)


def _oidc(request: Request) -> OidcLogin:
    return request.app.state.oidc  # type: ignore[no-any-return]


def _safe_next(value: str | None) -> str:
    value = value or "/"
    return (
        value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"
    )


def _page(request: Request, name: str, status_code: int = 200) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, name, {}, status_code=status_code)  # type: ignore[no-any-return]


@router.get("/logowanie")
async def login(request: Request, next: str = "/") -> Response:
    target = _safe_next(next)
    if current_clerk(request) is not None:
        return RedirectResponse(target, status_code=303)
    request.session["login_next"] = target
    redirect: Response = await _oidc(request).redirect_to_login(
        request, str(request.url_for("admin_oidc_callback"))
    )
    return redirect


@router.get("/auth/callback", name="admin_oidc_callback")
async def callback(request: Request) -> Response:
    try:
        principal, token = await _oidc(request).finish_login(request)
    except (OAuthError, DomainError) as exc:
        log.info("login failed", error=str(exc))
        return _page(request, "account/login_failed.html", 400)
    if not principal.roles & set(STAFF_ROLES):
        await _oidc(request).revoke(request)
        request.session.clear()
        return _page(request, "account/staff_only.html", 403)
    request.session["user"] = session_user(principal, token)
    return RedirectResponse(_safe_next(request.session.pop("login_next", "/")), status_code=303)


@router.get("/wyloguj")
async def logout_page(request: Request) -> Response:
    if current_clerk(request) is None:
        return RedirectResponse("/logowanie", status_code=303)
    return _page(request, "account/logout.html")


@router.post("/wyloguj", dependencies=[Depends(verify_csrf)])
async def logout(request: Request) -> Response:
    await _oidc(request).revoke(request)
    request.session.clear()
    return RedirectResponse(
        _oidc(request).logout_url(str(request.url_for("admin_logged_out"))), status_code=303
    )


@router.get("/wylogowano", name="admin_logged_out")
async def logged_out(request: Request) -> Response:
    return _page(request, "account/logged_out.html")
