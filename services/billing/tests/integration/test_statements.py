"""Bank statements: MT940 and CSV, matching, unmatched queue, re-import books nothing twice."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from billing.charges.intake import intake
from billing.ledger.models import Receivable
from billing.payers.models import Payer
from billing.payments.models import Payment
from billing.statements import service as statements
from billing.statements.parsers import parse_amount
from portal_platform.errors import DomainError


async def setup(db, ctx, charge):
    async with db.transaction() as s:
        r = await intake(
            s, ctx, [charge("P-1", 12_345), charge("P-2", 5_000, module="water", kind="invoice")]
        )
    async with db.sessions() as s:
        p1, p2 = await s.get(Payer, "P-1"), await s.get(Payer, "P-2")
    return r, p1, p2


def csv_file(p1, p2, doc_number):
    return (
        "data;kwota;rachunek_wirtualny;rachunek_nadawcy;nadawca;tytul\n"
        f"2026-03-10;123,45;{p1.virtual_account};61109010140000071219812874;Jan Kowalski;opłata śmieci\n"
        f"2026-03-11;50,00;;;Anna Nowak;{doc_number}\n"
        "2026-03-12;12,345;;;Błędna Kwota;zła precyzja\n"
        "2026-03-12;7,00;;;Nieznany;darowizna\n"
    ).encode("cp1250")


async def count(db, model) -> int:
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)))


async def test_csv_import_matches_by_account_then_title_reports_broken_line_and_is_idempotent(
    db, ctx, charge
):
    r, p1, p2 = await setup(db, ctx, charge)
    water_doc = next(d for d in r.documents if d.module == "water")
    content = csv_file(p1, p2, water_doc.number)
    async with db.transaction() as s:
        first = await statements.import_statement(
            s, ctx, None, filename="wyciag.csv", content=content
        )
    assert (first.total, first.new, first.matched, first.unmatched) == (3, 3, 2, 1)
    assert [n for n, _ in first.problems] == [4]
    assert "dwa miejsca" in first.problems[0][1]
    async with db.transaction() as s:
        again = await statements.import_statement(
            s, ctx, None, filename="wyciag.csv", content=content
        )
    assert (again.new, again.duplicate, again.matched) == (0, 3, 0)
    assert await count(db, Payment) == 2
    async with db.sessions() as s:
        recs = (await s.execute(select(Receivable))).scalars().all()
    assert all(not r.open for r in recs)  # both charges paid exactly once

    async with db.sessions() as s:
        queue = await statements.unmatched(s)
    assert [(ln.amount_grosze, ln.counterparty_name) for ln, _ in queue] == [(700, "Nieznany")]
    async with db.transaction() as s:
        pid = await statements.assign(s, ctx, None, queue[0][0].id, "P-1")
    assert pid
    async with db.sessions() as s:
        assert (await s.get(Payer, "P-1")).credit_grosze == 700
    with pytest.raises(DomainError):
        async with db.transaction() as s:
            await statements.assign(s, ctx, None, queue[0][0].id, "P-1")


async def test_mt940_with_a_broken_transaction_imports_the_rest(db, ctx, charge):
    _r, p1, _p2 = await setup(db, ctx, charge)
    bban = p1.virtual_account[2:]
    text = (
        ":20:STARTUMS\n:25:PL36819110552001000000420003\n:28C:00001/001\n:60F:C260301PLN0,00\n"
        ":61:2603020302CN123,45NTRFNONREF//ABC1\n"
        f":86:020?00PRZELEW?20Opłata za odpady?30{bban[:8]}?31{bban[8:]}?32JAN KOWALSKI\n"
        ":61:26XX0302CN1x0,00NTRFNONREF\n:86:020?00PRZELEW?20zepsuta\n"
        ":61:2603030303CN10,00NTRFNONREF\n:86:020?00PRZELEW?20bez tytułu?32ANNA NOWAK\n"
        ":62F:C260303PLN133,45\n-\n"
    ).encode("cp852")
    async with db.transaction() as s:
        result = await statements.import_statement(
            s, ctx, None, filename="wyciag.sta", content=text
        )
    assert (result.new, result.matched, result.unmatched) == (2, 1, 1)
    assert [n for n, _ in result.problems] == [2]
    async with db.sessions() as s:
        queue = await statements.unmatched(s)
    assert queue[0][0].title == "bez tytułu"  # CP852 decoded


def test_amount_precision_is_checked():
    assert parse_amount("1 234,56") == 123_456
    assert parse_amount("10.5") == 1_050
    with pytest.raises(ValueError, match="dwa miejsca"):
        parse_amount("0,001")


async def test_unreadable_file_is_refused_with_a_message(db, ctx):
    with pytest.raises(DomainError, match="Nie udało się"):
        async with db.transaction() as s:
            await statements.import_statement(
                s, ctx, None, filename="x.csv", content=b"data;kwota\nwczoraj;sto\n"
            )


async def test_partial_payment_of_old_arrears_splits_principal_and_interest(db, ctx, charge):
    async with db.transaction() as s:
        await intake(s, ctx, [charge("P-9", 126_000, due=(date(2026, 1, 1),))])
    async with db.sessions() as s:
        payer = await s.get(Payer, "P-9")
    # 60 days late at 10%: interest 21 zł; pay 640.50 → 10.50 interest + 630.00 principal
    content = f"data;kwota;rachunek_wirtualny;tytul\n2026-03-02;640,50;{payer.virtual_account};rata\n".encode()
    async with db.transaction() as s:
        await statements.import_statement(s, ctx, None, filename="w.csv", content=content)
    async with db.sessions() as s:
        rec = (await s.execute(select(Receivable).where(Receivable.payer_id == "P-9"))).scalar_one()
    assert (rec.principal_paid_grosze, rec.interest_paid_grosze, rec.interest_owed_grosze) == (
        63_000,
        1_050,
        1_050,
    )
