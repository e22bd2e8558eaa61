"""Bulk inserts for the hot paths: PostgreSQL COPY in the caller's transaction, else executemany."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import JSON, Table, any_, bindparam, insert
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from portal_platform.db import is_postgres
from portal_platform.messaging.outbox import EventMessage, Outbox, stamp


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert plain rows (all with the same keys) without returning anything."""
    if not rows:
        return
    if not is_postgres(session):
        await session.execute(insert(table), list(rows))
        return
    cols = list(rows[0])
    json_cols = {c for c in cols if isinstance(table.c[c].type, JSON)}
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    pg = raw.driver_connection
    assert pg is not None
    names = ", ".join(f'"{c}"' for c in cols)
    async with pg.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for r in rows:
            await copy.write_row([Json(r[c]) if c in json_cols else r[c] for c in cols])


async def insert_new_returning(
    session: AsyncSession,
    table: Table,
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
    returning: Sequence[str] = (),
) -> list[Any] | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING the primary key, through a COPY-filled
    temporary table on PostgreSQL; None elsewhere (the caller then inserts the usual way)."""
    if not is_postgres(session):
        return None
    if not rows:
        return []
    cols = list(rows[0])
    staging = f"_in_{table.name}"
    pk = table.primary_key.columns[0].name
    names = ", ".join(f'"{c}"' for c in cols)
    conn = await session.connection()
    pg = (await conn.get_raw_connection()).driver_connection
    assert pg is not None
    json_cols = {c for c in cols if isinstance(table.c[c].type, JSON)}
    async with pg.cursor() as cur:
        await cur.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" '
            f'(LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DELETE ROWS'
        )
        async with cur.copy(f'COPY "{staging}" ({names}) FROM STDIN') as copy:
            for r in rows:
                await copy.write_row([Json(r[c]) if c in json_cols else r[c] for c in cols])
        targets = ", ".join(f'"{c}"' for c in conflict)
        await cur.execute(
            f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staging}" '
            f"ON CONFLICT ({targets}) DO NOTHING RETURNING "
            + ", ".join(f'"{c}"' for c in (returning or [pk]))
        )
        rows_back = await cur.fetchall()
        ids = [r[0] for r in rows_back] if not returning else [tuple(r) for r in rows_back]
        await cur.execute(f'DELETE FROM "{staging}"')
    return ids


async def outbox_many(
    session: AsyncSession, outbox: Outbox, items: Iterable[tuple[str, EventMessage]]
) -> None:
    """Outbox.add_many for the intake's hot path: the same rows, written with COPY on PostgreSQL."""
    if not is_postgres(session):
        await outbox.add_many(session, items)
        return
    now = datetime.now(UTC)
    rows = [
        {
            "event_id": stamp(event, outbox.producer),
            "subject": subject,
            "payload": event.SerializeToString(),
            "created_at": now,
        }
        for subject, event in items
    ]
    await insert_rows(session, outbox.table, rows)


async def update_rows(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], *, add: Sequence[str] = ()
) -> bool:
    """UPDATE by primary key from plain rows on PostgreSQL (COPY into a temporary table, one
    UPDATE ... FROM); columns in `add` are added to the stored values. False elsewhere."""
    if not is_postgres(session):
        return False
    if not rows:
        return True
    cols = list(rows[0])
    pk = table.primary_key.columns[0].name
    staging = f"_up_{table.name}_{zlib.crc32(','.join(cols).encode())}"
    conn = await session.connection()
    pg = (await conn.get_raw_connection()).driver_connection
    assert pg is not None
    names = ", ".join(f'"{c}"' for c in cols)
    sets = ", ".join(
        f'"{c}" = "{table.name}"."{c}" + s."{c}"' if c in add else f'"{c}" = s."{c}"'
        for c in cols
        if c != pk
    )
    async with pg.cursor() as cur:
        await cur.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" ON COMMIT DELETE ROWS AS '
            f'SELECT {names} FROM "{table.name}" WITH NO DATA'
        )
        await cur.execute(f'DELETE FROM "{staging}"')
        async with cur.copy(f'COPY "{staging}" ({names}) FROM STDIN') as copy:
            for r in rows:
                await copy.write_row([r[c] for c in cols])
        await cur.execute(
            f'UPDATE "{table.name}" SET {sets} FROM "{staging}" s '
            f'WHERE "{table.name}"."{pk}" = s."{pk}"'
        )
        await cur.execute(f'DELETE FROM "{staging}"')
    return True


def one_of(session: AsyncSession, column: Any, values: Sequence[Any]) -> Any:
    """`column IN values` that stays fast when prepared: `= ANY(array)` on PostgreSQL.

    A long IN list of separate parameters gets a generic plan after a few executions that
    compares each row with every parameter; one array parameter lets the index be used.
    """
    if is_postgres(session):
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))
