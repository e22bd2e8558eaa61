"""Async SQLAlchemy 2 engine and sessions for PostgreSQL (psycopg 3) and SQLite (aiosqlite)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import FromClause, MetaData, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.dml import Insert

from portal_platform.errors import StartupError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """A MetaData with the shared constraint naming convention (stable Alembic names)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// and sqlite:// URLs and pick the async drivers."""
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    elif url.startswith("sqlite://"):
        url = "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, a busy timeout and foreign keys on."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except Exception:
        raise StartupError(f"DATABASE_URL is not a valid database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if parsed.get_backend_name() != "postgresql":
        raise StartupError(
            f"unsupported database {parsed.get_backend_name()!r}; use postgresql or sqlite"
        )
    # No server-side prepared statements: a generic plan made while a table was small (a seq
    # scan of `id = ANY(...)`) stayed in use as the table grew, and poolers in transaction
    # mode cannot keep prepared statements anyway. Each statement is planned with its values.
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"prepare_threshold": None},
    )


def is_postgres(engine_or_session: AsyncEngine | AsyncSession) -> bool:
    bind = (
        engine_or_session.bind if isinstance(engine_or_session, AsyncSession) else engine_or_session
    )
    return bind is not None and bind.dialect.name == "postgresql"


async def check_connection(engine: AsyncEngine, *, attempts: int = 1, delay: float = 1.0) -> None:
    """Connect once (retrying briefly) or raise StartupError with one clear line."""
    last: Exception | None = None
    for _ in range(max(attempts, 1)):
        try:
            async with engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
            return
        except Exception as exc:
            last = exc
            await asyncio.sleep(delay)
    msg = str(getattr(last, "orig", None) or last).strip().splitlines()[0] if last else "?"
    safe_url = engine.url.render_as_string(hide_password=True)
    raise StartupError(f"cannot connect to database {safe_url}: {msg}")


class Database:
    """Engine plus session factory for one service."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.engine = create_engine(url, pool_size=pool_size)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One session in one transaction: commit on success, roll back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def insert_ignoring_conflicts(
    session_or_engine: AsyncSession | AsyncEngine,
    table: Table | FromClause,
    index_elements: Sequence[str],
) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING for the session's dialect (a model's `__table__`)."""
    target = cast(Table, table)
    if is_postgres(session_or_engine):
        return postgresql.insert(target).on_conflict_do_nothing(index_elements=list(index_elements))
    return sqlite.insert(target).on_conflict_do_nothing(index_elements=list(index_elements))
