"""Gateway as a runnable service: the FastAPI app with every discovered feature."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from gateway.auth import LoginRequired, VerificationRequired, current_user
from gateway.config import Settings
from gateway.features import discover
from gateway.features.help import screenshots
from gateway.web import STATIC_DIR, ensure_modules, make_templates, menu
from gateway.web.modules import ModuleRegistry
from portal_platform.config import parse_address_map
from portal_platform.csrf import csrf_token
from portal_platform.error_pages import install_error_pages
from portal_platform.http import mount_health
from portal_platform.i18n import LanguageMiddleware
from portal_platform.oidc_client import OidcLogin
from portal_platform.security import SecurityHeaders
from portal_platform.service import Runtime, ServiceDefinition


def form_targets(settings: Settings) -> list[str]:
    """Origins a form may lead to: identity's login, and the payment operators' pages."""
    targets = [settings.oidc_issuer]
    targets += [h.strip() for h in settings.payment_hosts.split(",") if h.strip()]
    billing = parse_address_map(settings.http_services).get("billing", "")
    if billing:
        parts = urlsplit(billing)
        targets.append(f"{parts.scheme}://{parts.netloc}")
    return targets


def create_app(rt: Runtime) -> FastAPI:
    settings = rt.settings
    assert isinstance(settings, Settings)
    app = FastAPI(title="Portal Komunalny", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.runtime = rt
    app.state.templates = make_templates()
    app.state.modules = ModuleRegistry(settings.modules)
    app.state.oidc = OidcLogin(
        issuer=rt.settings.oidc_issuer, service="gateway", env=rt.settings.env, verifier=rt.verifier
    )
    templates = app.state.templates
    templates.env.globals["gmina_name"] = getattr(rt.settings, "gmina_name", "")
    templates.env.globals["csrf_token"] = csrf_token
    templates.env.globals["current_user"] = current_user
    app.add_middleware(
        SessionMiddleware,
        secret_key=rt.settings.secret_key,
        session_cookie="portal_session",
        same_site="lax",
        https_only=not rt.settings.is_local,
        max_age=8 * 3600,
    )

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> RedirectResponse:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/logowanie?next={target}", status_code=303)

    @app.exception_handler(VerificationRequired)
    async def _verify(request: Request, _exc: VerificationRequired) -> HTMLResponse:
        page = templates.TemplateResponse(request, "verification_required.html", status_code=403)
        return page  # type: ignore[no-any-return]

    install_error_pages(app)
    app.add_middleware(
        SecurityHeaders, hsts=not rt.settings.is_local, form_targets=form_targets(settings)
    )
    app.add_middleware(LanguageMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    mount_health(app, "gateway")
    features = discover()
    app.state.menu_entries = menu.collect(features)
    app.router.dependencies.append(Depends(ensure_modules))
    for feature in features:
        # a feature exports `router` (pages) and/or MOUNT = (path, factory(rt) -> ASGI app)
        if hasattr(feature, "router"):
            app.include_router(feature.router)
        if hasattr(feature, "MOUNT"):
            path, factory = feature.MOUNT
            app.mount(path, factory(rt))
    return app


definition = ServiceDefinition(
    name="gateway",
    settings_cls=Settings,
    http_app=create_app,
    uses_bus=False,
    commands={"screenshots": screenshots.command},
)
