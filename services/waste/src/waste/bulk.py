"""Bulk inserts: COPY on PostgreSQL, SQLAlchemy's multi-row insert elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.db import is_postgres


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows of `table` in the caller's transaction.

    On PostgreSQL a multi-row INSERT ... VALUES of thousands of rows costs more in client-side
    query parsing than the database spends on it; COPY in the same transaction avoids that.
    """
    if not rows:
        return
    if not is_postgres(session):
        await session.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    async with driver.cursor() as cursor:
        copy_sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        async with cursor.copy(copy_sql) as copy:
            for row in rows:
                await copy.write_row(tuple(row[c] for c in columns))
