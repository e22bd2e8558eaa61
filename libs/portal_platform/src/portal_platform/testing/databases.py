"""A clean database per test: cloned from a migrated template (PostgreSQL) or copied (SQLite)."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from portal_platform.db import normalise_url
from portal_platform.migrations import upgrade_async


class DatabaseFactory:
    """Makes per-test databases for a service from a template migrated once per session."""

    def __init__(self, admin_url: str | None) -> None:
        self.admin_url = normalise_url(admin_url) if admin_url else None
        self.tmp = Path(tempfile.mkdtemp(prefix="portal-test-db-"))
        self.templates: dict[str, str] = {}
        self.run_id = uuid.uuid4().hex[:8]

    def _url_for(self, dbname: str) -> str:
        assert self.admin_url
        return make_url(self.admin_url).set(database=dbname).render_as_string(hide_password=False)

    async def _admin(self, sql: str) -> None:
        engine = create_async_engine(self.admin_url, isolation_level="AUTOCOMMIT")  # type: ignore[arg-type]
        try:
            async with engine.connect() as conn:
                await conn.execute(text(sql))
        finally:
            await engine.dispose()

    async def _template(self, service: str, service_dir: Path) -> str:
        if service in self.templates:
            return self.templates[service]
        if self.admin_url:
            name = f"tpl_{service}_{self.run_id}"
            await self._admin(f'CREATE DATABASE "{name}"')
            await upgrade_async(service_dir, self._url_for(name), service)
        else:
            name = str(self.tmp / f"tpl_{service}.db")
            await upgrade_async(service_dir, f"sqlite+aiosqlite:///{name}", service)
        self.templates[service] = name
        return name

    async def create(self, service: str, service_dir: Path) -> str:
        """A new, migrated, empty database for `service`; returns its URL."""
        template = await self._template(service, service_dir)
        if self.admin_url:
            name = f"t_{service}_{uuid.uuid4().hex[:12]}"
            await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return self._url_for(name)
        path = self.tmp / f"t_{service}_{uuid.uuid4().hex[:12]}.db"
        shutil.copyfile(template, path)
        return f"sqlite+aiosqlite:///{path}"

    async def drop(self, url: str) -> None:
        if self.admin_url:
            name = make_url(url).database
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            Path(make_url(url).database or "").unlink(missing_ok=True)  # noqa: ASYNC240 (tests)

    async def close(self) -> None:
        if self.admin_url:
            for name in self.templates.values():
                await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(self.tmp, ignore_errors=True)
