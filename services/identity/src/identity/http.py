"""Identity's HTTP side: the OpenID Connect provider and the account pages."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from identity.accounts.context import make_context
from identity.config import Settings
from identity.oidc.keys import KeyRing, KeySeal
from identity.oidc.routes import EndSession, Revocation
from identity.oidc.routes import router as oidc_router
from identity.oidc.server import Provider
from identity.web.login import router as login_router
from identity.web.password_change import router as password_change_router
from identity.web.register import router as register_router
from identity.web.render import WEB_DIR, render
from portal_platform.http import mount_health
from portal_platform.service import Runtime


def create_app(rt: Runtime) -> FastAPI:
    settings = rt.settings
    assert isinstance(settings, Settings) and rt.outbox is not None
    app = FastAPI(
        title="Portal Komunalny — tożsamość", docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.runtime = rt
    app.state.settings = settings
    app.state.ctx = rt.state.setdefault("ctx", make_context(settings, rt.outbox))
    keyring = rt.state.setdefault("keys", KeyRing(KeySeal(settings.secret_key)))
    server = Provider(settings, keyring)
    server.register_endpoint(EndSession)
    server.register_endpoint(Revocation)
    app.state.provider = server
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="identity_session",
        same_site="lax",
        https_only=not settings.is_local,
        max_age=settings.session_max_age_s,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self' http: https:; "
            "frame-ancestors 'none'",
        )
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return render(
            request, "message.html", exc.status_code, title="Błąd", text=str(exc.detail), links=[]
        )

    async def database() -> bool:
        assert rt.db is not None
        async with rt.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    mount_health(app, "identity", {"database": database})
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    app.include_router(oidc_router)
    app.include_router(register_router)
    app.include_router(login_router)
    app.include_router(password_change_router)
    return app
