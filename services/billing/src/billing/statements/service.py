"""Importing statements: new lines only (a re-import books nothing), matching, the queue."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from billing.bulk import insert_rows, one_of
from billing.context import Context
from billing.documents.models import Document
from billing.payers import service as payers
from billing.payers.models import Payer
from billing.payments.service import NewPayment, book_settled
from billing.statements.models import Statement, StatementLine
from billing.statements.parsers import Parsed, ParsedLine, parse
from portal_platform.errors import DomainError, InvalidArgument, NotFound
from portal_platform.messaging.outbox import Outbox

NUMBER_RE = re.compile(r"\b[A-Z]{2,3}/[A-Z0-9]{1,6}/\d{4}/\d{2}/\d{6}\b")
PAYER_RE = re.compile(r"kartoteka\s+(\S+)", re.IGNORECASE)
MAX_FILE = 50 * 1024 * 1024


@dataclass
class ImportResult:
    statement_id: str = ""
    total: int = 0
    new: int = 0
    duplicate: int = 0
    matched: int = 0
    unmatched: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def line_keys(lines: list[ParsedLine]) -> list[str]:
    """A key per line from its content; identical lines in one file are told apart by order."""
    seen: Tally[str] = Tally()
    keys = []
    for ln in lines:
        base = "|".join(
            [
                ln.booked_on.isoformat(),
                str(ln.amount),
                ",".join(ln.candidates),
                ln.counterparty_account,
                ln.title,
                ln.reference,
            ]
        )
        seen[base] += 1
        keys.append(hashlib.sha256(f"{base}#{seen[base]}".encode()).hexdigest())
    return keys


async def import_statement(
    session: AsyncSession,
    ctx: Context,
    outbox: Outbox | None,
    *,
    filename: str,
    content: bytes,
    fmt: str = "",
    user: str = "",
) -> ImportResult:
    """Import a file in the caller's transaction; broken lines are reported, not imported."""
    if not content:
        raise InvalidArgument("Plik wyciągu jest pusty.", field="content")
    if len(content) > MAX_FILE:
        raise InvalidArgument("Plik wyciągu jest za duży (maks. 50 MB).", field="content")
    if fmt not in ("", "mt940", "csv"):
        raise InvalidArgument("Nieznany format wyciągu (mt940 lub csv).", field="format")
    parsed: Parsed = parse(filename, content, fmt)
    result = ImportResult(total=len(parsed.lines), problems=parsed.problems)
    if not parsed.lines and parsed.problems:
        raise DomainError(
            "Nie udało się odczytać żadnej operacji z pliku: "
            + "; ".join(f"wiersz {n}: {m}" for n, m in parsed.problems[:3]),
            code="statement.unreadable",
            field="content",
        )
    keys = line_keys(parsed.lines)
    existing: set[str] = set()
    for i in range(0, len(keys), 10000):
        found = await session.execute(
            select(StatementLine.line_key).where(
                one_of(session, StatementLine.line_key, keys[i : i + 10000])
            )
        )
        existing |= set(found.scalars())
    fresh = [(k, ln) for k, ln in zip(keys, parsed.lines, strict=True) if k not in existing]
    result.new, result.duplicate = len(fresh), len(parsed.lines) - len(fresh)
    statement_id = str(uuid.uuid4())
    result.statement_id = statement_id
    session.add(
        Statement(
            id=statement_id,
            filename=filename[:200],
            format=parsed.format,
            sha256=hashlib.sha256(content).hexdigest(),
            lines_total=result.total,
            lines_new=result.new,
            imported_at=datetime.now(UTC),
            imported_by=user[:100],
        )
    )
    matches = await match(session, [ln for _, ln in fresh])
    to_book = []
    rows: list[dict[str, Any]] = []
    for (key, ln), (payer_id, charge_id) in zip(fresh, matches, strict=True):
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "line_key": key,
                "statement_id": statement_id,
                "line_no": ln.line_no,
                "booked_on": ln.booked_on,
                "amount_grosze": ln.amount,
                "counterparty_name": ln.counterparty_name[:200],
                "counterparty_account": ln.counterparty_account[:34],
                "credited_account": (ln.candidates[0] if ln.candidates else "")[:34],
                "title": ln.title[:300],
                "status": "matched" if payer_id else "unmatched",
                "payer_id": payer_id,
                "payment_id": None,
            }
        )
        if payer_id:
            to_book.append(
                NewPayment(
                    payer_id,
                    ln.amount,
                    "statement",
                    "bank",
                    key,
                    ln.booked_on,
                    ln.title,
                    (charge_id,) if charge_id else (),
                )
            )
    booked = await book_settled(session, ctx, outbox, to_book)
    for row in rows:
        row["payment_id"] = booked.get(str(row["line_key"]))
    await insert_rows(session, StatementLine.__table__, rows)  # type: ignore[arg-type]
    result.matched = sum(1 for r in rows if r["payer_id"])
    result.unmatched = len(rows) - result.matched
    return result


async def match(
    session: AsyncSession, lines: list[ParsedLine]
) -> list[tuple[str | None, str | None]]:
    """(payer, indicated charge) per line: by the credited virtual account, then by the title."""
    by_account = await payers.by_accounts(session, (c for ln in lines for c in ln.candidates))
    numbers = sorted({n for ln in lines for n in NUMBER_RE.findall(ln.title.upper())})
    docs: dict[str, tuple[str, str | None]] = {}
    for i in range(0, len(numbers), 1000):
        q = select(Document.number, Document.payer_id, Document.charge_id).where(
            one_of(session, Document.number, numbers[i : i + 1000])
        )
        docs.update({str(n): (p, c) for n, p, c in (await session.execute(q)).all()})
    named = sorted({m for ln in lines for m in PAYER_RE.findall(ln.title)})
    known_ids = set()
    for i in range(0, len(named), 1000):
        q2 = select(Payer.id).where(one_of(session, Payer.id, named[i : i + 1000]))
        known_ids |= set((await session.execute(q2)).scalars())
    out: list[tuple[str | None, str | None]] = []
    for ln in lines:
        payer = next((by_account[c] for c in ln.candidates if c in by_account), None)
        charge = None
        for n in NUMBER_RE.findall(ln.title.upper()):
            if n in docs and (payer is None or docs[n][0] == payer):
                payer, charge = docs[n][0], docs[n][1]
                break
        if payer is None:
            payer = next((m for m in PAYER_RE.findall(ln.title) if m in known_ids), None)
        out.append((payer, charge))
    return out


async def unmatched(session: AsyncSession, limit: int = 200) -> list[tuple[StatementLine, str]]:
    stmt = (
        select(StatementLine, Statement.filename)
        .join(Statement, Statement.id == StatementLine.statement_id)
        .where(StatementLine.status == "unmatched")
        .order_by(StatementLine.booked_on, StatementLine.line_no)
        .limit(max(1, min(limit or 200, 2000)))
    )
    return [(ln, f) for ln, f in (await session.execute(stmt)).all()]


async def assign(
    session: AsyncSession,
    ctx: Context,
    outbox: Outbox | None,
    line_id: str,
    payer_id: str,
    charge_id: str = "",
) -> str:
    """A clerk assigns an unmatched line to a payer (and charge); the payment is booked once."""
    line = (
        (
            await session.execute(
                select(StatementLine).where(StatementLine.id == line_id).with_for_update()
            )
        )
        .scalars()
        .first()
    )
    if line is None:
        raise NotFound("Nie ma takiej operacji z wyciągu.", field="line_id")
    if line.status != "unmatched":
        raise DomainError(
            "Ta operacja jest już przypisana.", code="statement.line_assigned", field="line_id"
        )
    await payers.get(session, payer_id)
    booked = await book_settled(
        session,
        ctx,
        outbox,
        [
            NewPayment(
                payer_id,
                line.amount_grosze,
                "statement",
                "bank",
                line.line_key,
                line.booked_on,
                line.title,
                (charge_id,) if charge_id else (),
            )
        ],
    )
    payment_id = booked.get(line.line_key, "")
    await session.execute(
        update(StatementLine)
        .where(StatementLine.id == line_id)
        .values(status="assigned", payer_id=payer_id, payment_id=payment_id or None)
    )
    return payment_id
