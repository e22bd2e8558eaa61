"""Intake into ledgers: payers with virtual accounts, numbered documents, installments, credit."""

from __future__ import annotations

import asyncio
import re
from datetime import date

import pytest
from schwifty import IBAN
from sqlalchemy import select

from billing.charges.intake import intake
from billing.charges.models import Charge
from billing.documents.models import Document
from billing.ledger import queries
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


def decrease(charge, payer: str, gross: int, corrects: str, **kw):
    """A module's decrease: a fee notice with a negative amount naming the charge it lowers."""
    from dataclasses import replace

    base = charge(payer, -gross, kind="fee_notice", **kw)
    return replace(base, corrects_key=corrects)


async def test_decrease_lowers_the_unpaid_charge_it_names(db, ctx, charge):
    async with db.transaction() as s:
        await intake(
            s, ctx, [charge("P-1", 42_000, key="rata-3"), charge("P-1", 42_000, key="rata-4")]
        )
    async with db.transaction() as s:
        result = await intake(s, ctx, [decrease(charge, "P-1", 7_000, "rata-4", key="rata-4:k1")])
    (notice,) = result.documents
    assert notice.gross_grosze == -7_000 and notice.number and notice.corrects_id
    async with db.sessions() as s:
        recs = {
            r.charge_id: r.amount_grosze - r.principal_paid_grosze
            for r in (await s.execute(select(Receivable))).scalars()
        }
        charges = dict((await s.execute(select(Charge.idempotency_key, Charge.id))).all())
        payer = await s.get(Payer, "P-1")
        original = await s.get(Document, notice.corrects_id)
    # only rata-4 went down, by exactly the decrease; no credit is left over
    assert recs == {charges["rata-3"]: 42_000, charges["rata-4"]: 35_000}
    assert original.charge_id == charges["rata-4"] and payer.credit_grosze == 0
    async with db.sessions() as s:
        _, total = await queries.balances(s, ctx, "P-1", date(2026, 1, 1))
    assert (total.charged, total.paid, total.to_pay) == (77_000, 0, 77_000)


async def test_decrease_of_a_paid_charge_becomes_credit_for_the_next(db, ctx, charge):
    async with db.transaction() as s:
        await intake(s, ctx, [charge("P-1", 10_000, key="r1")])
        await ledger.apply(s, ctx, [ledger.Incoming("P-1", 10_000, date(2026, 3, 1))])
    async with db.transaction() as s:
        await intake(s, ctx, [decrease(charge, "P-1", 3_000, "r1", key="r1:k1")])
    async with db.sessions() as s:
        assert (await s.get(Payer, "P-1")).credit_grosze == 3_000
    async with db.transaction() as s:
        await intake(s, ctx, [charge("P-1", 8_000, key="r2", due=(date(2026, 6, 15),))])
    async with db.sessions() as s:
        assert (await s.get(Payer, "P-1")).credit_grosze == 0
        r2 = (
            await s.execute(select(Receivable).where(Receivable.due_date == date(2026, 6, 15)))
        ).scalar_one()
        assert r2.principal_paid_grosze == 3_000


async def test_decrease_naming_another_payers_charge_leaves_it_alone(db, ctx, charge):
    async with db.transaction() as s:
        await intake(s, ctx, [charge("P-2", 10_000, key="theirs")])
    async with db.transaction() as s:
        await intake(s, ctx, [decrease(charge, "P-1", 3_000, "theirs", key="mine:k1")])
    async with db.sessions() as s:
        (theirs,) = (await s.execute(select(Receivable))).scalars().all()
        assert theirs.payer_id == "P-2" and theirs.principal_paid_grosze == 0
        assert (await s.get(Payer, "P-1")).credit_grosze == 3_000


async def test_invoice_or_installment_with_a_negative_amount_is_refused(db, ctx, charge):
    from portal_platform.errors import InvalidArgument

    for kind in ("invoice", "installment"):
        with pytest.raises(InvalidArgument) as err:
            async with db.transaction() as s:
                await intake(s, ctx, [charge("P-1", -5_000, kind=kind)])
        assert err.value.field == "lines"
    with pytest.raises(InvalidArgument, match="zerowa"):
        async with db.transaction() as s:
            await intake(s, ctx, [charge("P-1", 0, kind="installment")])
    async with db.sessions() as s:
        assert (await s.execute(select(Charge))).scalars().all() == []


async def test_an_invoice_that_comes_out_even_is_issued_with_nothing_to_pay(db, ctx, charge):
    async with db.transaction() as s:
        result = await intake(s, ctx, [charge("P-1", 0, module="water", kind="invoice")])
    (doc,) = result.documents
    assert doc.gross_grosze == 0 and doc.number
    async with db.sessions() as s:
        assert (await s.execute(select(Receivable))).scalars().all() == []
