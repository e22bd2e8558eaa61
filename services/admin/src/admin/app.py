"""Admin as a runnable service: the back-office FastAPI app with every discovered feature."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from admin.config import Settings
from admin.features import discover
from admin.web import STATIC_DIR, make_templates
from portal_platform.http import mount_health
from portal_platform.service import Runtime, ServiceDefinition


def create_app(rt: Runtime) -> FastAPI:
    app = FastAPI(title="Portal Komunalny — zaplecze", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = rt.settings
    app.state.runtime = rt
    app.state.templates = make_templates()
    app.state.templates.env.globals["gmina_name"] = getattr(rt.settings, "gmina_name", "")
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
