"""Identity's HTTP side: health now; the OpenID Connect provider and account pages."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import text

from portal_platform.http import mount_health
from portal_platform.service import Runtime


def create_app(rt: Runtime) -> FastAPI:
    app = FastAPI(title="Portal Komunalny — tożsamość", docs_url=None, redoc_url=None)

    async def database() -> bool:
        assert rt.db is not None
        async with rt.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    mount_health(app, "identity", {"database": database})
    return app
