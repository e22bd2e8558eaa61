"""Admin as a runnable service: the back-office FastAPI app with every discovered feature."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from admin.auth import LoginRequired, StaffOnly, current_clerk
from admin.config import Settings
from admin.features import discover
from admin.web import STATIC_DIR, make_templates
from portal_platform.csrf import csrf_token
from portal_platform.error_pages import install_error_pages
from portal_platform.http import mount_health
from portal_platform.oidc_client import OidcLogin
from portal_platform.security import SecurityHeaders
from portal_platform.service import Runtime, ServiceDefinition


def create_app(rt: Runtime) -> FastAPI:
    app = FastAPI(
        title="Portal Komunalny — zaplecze", docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.settings = rt.settings
    app.state.runtime = rt
    app.state.templates = make_templates()
    app.state.oidc = OidcLogin(
        issuer=rt.settings.oidc_issuer, service="admin", env=rt.settings.env, verifier=rt.verifier
    )
    templates = app.state.templates
    templates.env.globals["gmina_name"] = getattr(rt.settings, "gmina_name", "")
    templates.env.globals["csrf_token"] = csrf_token
    templates.env.globals["current_clerk"] = current_clerk
    app.add_middleware(
        SessionMiddleware,
        secret_key=rt.settings.secret_key,
        session_cookie="portal_admin_session",
        same_site="lax",
        https_only=not rt.settings.is_local,
        max_age=8 * 3600,
    )

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> RedirectResponse:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/logowanie?next={target}", status_code=303)

    @app.exception_handler(StaffOnly)
    async def _staff_only(request: Request, _exc: StaffOnly) -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><html lang=pl><title>Brak dostępu</title><h1>Brak dostępu</h1>"
            "<p>Zaplecze jest dostępne tylko dla pracowników urzędu.</p></html>",
            status_code=403,
        )

    install_error_pages(app)
    app.add_middleware(
        SecurityHeaders, hsts=not rt.settings.is_local, form_targets=[rt.settings.oidc_issuer]
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    mount_health(app, "admin")
    for feature in discover():
        app.include_router(feature.router)
    return app


definition = ServiceDefinition(
    name="admin",
    settings_cls=Settings,
    http_app=create_app,
    uses_bus=False,
)
