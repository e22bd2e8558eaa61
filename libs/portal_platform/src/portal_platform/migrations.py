"""Alembic per service: own version table, run programmatically at start in local mode."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from portal_platform.db import normalise_url


def alembic_config(service_dir: Path, database_url: str, service: str) -> Config:
    """Alembic Config for a service folder (holding alembic.ini and migrations/)."""
    cfg = Config(str(service_dir / "alembic.ini"))
    cfg.set_main_option("script_location", str(service_dir / "migrations"))
    cfg.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    cfg.attributes["service"] = service
    return cfg


def upgrade(service_dir: Path, database_url: str, service: str, revision: str = "head") -> None:
    """Apply the service's migrations up to `revision` (blocking; call in a thread)."""
    command.upgrade(alembic_config(service_dir, database_url, service), revision)


async def upgrade_async(service_dir: Path, database_url: str, service: str) -> None:
    await asyncio.to_thread(upgrade, service_dir, database_url, service)


def run_env(target_metadata: MetaData, service: str) -> None:
    """Body of a service's migrations/env.py: online migrations on the async engine."""
    config = context.config
    version_table = f"alembic_version_{service}"

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=version_table,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            version_table=version_table,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    async def run_async() -> None:
        engine = async_engine_from_config(
            config.get_section(config.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        async with engine.connect() as conn:
            await conn.run_sync(do_run)
        await engine.dispose()

    connection = config.attributes.get("connection")
    if connection is not None:
        do_run(connection)
    else:
        asyncio.run(run_async())
