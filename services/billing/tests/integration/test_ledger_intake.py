"""Intake into ledgers: payers with virtual accounts, numbered documents, installments, credit."""

from __future__ import annotations

import asyncio
import re
from datetime import date

from schwifty import IBAN
from sqlalchemy import select

from billing.charges.intake import intake
from billing.documents.models import Document
from billing.ledger import service as ledger
from billing.ledger.models import Receivable
from billing.payers.models import Payer


async def test_charge_creates_payer_document_and_receivables(db, ctx, charge):
    async with db.transaction() as s:
        result = await intake(
            s, ctx, [charge("P-1", 42_000, due=(date(2026, 3, 15), date(2026, 5, 15)))]
        )
    assert len(result.booked) == 1 and len(result.documents) == 1
    doc = result.documents[0]
    assert re.fullmatch(r"ZAW/O/\d{4}/\d{2}/000001", doc.number or "")
    async with db.sessions() as s:
        payer = await s.get(Payer, "P-1")
        assert payer is not None and payer.name == "Jan Kowalski"
        assert IBAN("PL" + payer.virtual_account).validate()
        recs = (await s.execute(select(Receivable).order_by(Receivable.due_date))).scalars().all()
        assert [(r.due_date, r.amount_grosze) for r in recs] == [
            (date(2026, 3, 15), 21_000),
            (date(2026, 5, 15), 21_000),
        ]
        stored = (await s.execute(select(Document))).scalars().one()
        assert stored.snapshot["payer"]["account"] == payer.virtual_account


async def test_numbers_have_no_gaps_per_series_under_concurrent_batches(
    db, ctx, charge, on_postgres
):
    async def batch(i: int) -> None:
        async with db.transaction() as s:
            await intake(
                s,
                ctx,
                [charge(f"P-{i}-{j}", 1_000 + j) for j in range(20)]
                + [charge(f"P-{i}", 2_000, module="water", kind="invoice")],
            )

    await asyncio.gather(*(batch(i) for i in range(6 if on_postgres else 3)))
    async with db.sessions() as s:
        numbers = (await s.execute(select(Document.number))).scalars().all()
    by_series: dict[str, list[int]] = {}
    for n in numbers:
        series, _, seq = n.rpartition("/")
        by_series.setdefault(series, []).append(int(seq))
    assert {k.split("/")[0] + "/" + k.split("/")[1] for k in by_series} == {"ZAW/O", "FV/W"}
    for seqs in by_series.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))


async def test_repeated_request_books_nothing_twice(db, ctx, charge):
    c = charge("P-1", key="same")
    async with db.transaction() as s:
        await intake(s, ctx, [c])
    async with db.transaction() as s:
        again = await intake(s, ctx, [charge("P-1", key="same")])
    assert again.booked == [] and again.documents == []


async def test_credit_is_applied_to_the_next_charge(db, ctx, charge):
    async with db.transaction() as s:
        await intake(s, ctx, [charge("P-1", 10_000)])
    async with db.transaction() as s:
        left = await ledger.apply(s, ctx, [ledger.Incoming("P-1", 15_000, date(2026, 3, 1))])
    assert left == {"P-1": 5_000}
    async with db.transaction() as s:
        await intake(s, ctx, [charge("P-1", 8_000, due=(date(2026, 6, 15),))])
    async with db.sessions() as s:
        payer = await s.get(Payer, "P-1")
        assert payer.credit_grosze == 0
        newest = (
            await s.execute(select(Receivable).where(Receivable.due_date == date(2026, 6, 15)))
        ).scalar_one()
        assert newest.principal_paid_grosze == 5_000 and newest.open


async def test_known_payer_details_follow_the_latest_charge(db, ctx, charge):
    async with db.transaction() as s:
        await intake(s, ctx, [charge("P-1", name="Jan Kowalski"), charge("P-2", name="Ewa Nowak")])
    async with db.transaction() as s:
        await intake(
            s, ctx, [charge("P-1", name="Jan Kowalski-Wiśniewski"), charge("P-2", name="")]
        )
    async with db.sessions() as s:
        names = dict((await s.execute(select(Payer.id, Payer.name))).all())
        account = (await s.get(Payer, "P-1")).virtual_account  # type: ignore[union-attr]
    # a new name is kept; an empty one does not wipe the stored name; the account never changes
    assert names == {"P-1": "Jan Kowalski-Wiśniewski", "P-2": "Ewa Nowak"}
    assert IBAN("PL" + account).validate()
