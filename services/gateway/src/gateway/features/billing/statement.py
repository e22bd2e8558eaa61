"""Historia rozliczeń: the payer's account statement (kartoteka) — its period, data and CSV.

Billing keeps the ledger and computes the statement (GetLedger); here the resident's period is
read and checked, the document numbers are linked to the documents the resident may download,
and the statement is written as a CSV that Excel in Poland opens as it is.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from gateway.web.dates import pb_date, to_date
from gateway.web.i18n import N_, _
from gateway.web.service_text import service_text
from portal.billing.v1 import billing_pb2
from portal_platform.errors import InvalidArgument
from portal_platform.rpc.client import call


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date


def this_year(on: date) -> Period:
    return Period(date(on.year, 1, 1), on)


def last_year(on: date) -> Period:
    return Period(date(on.year - 1, 1, 1), date(on.year - 1, 12, 31))


def last_12_months(on: date) -> Period:
    try:
        year_before = on.replace(year=on.year - 1)
    except ValueError:  # 29 February
        year_before = on.replace(year=on.year - 1, day=28)
    return Period(year_before + timedelta(days=1), on)


# the quick choices offered next to the dates: (key, label, period from today)
QUICK: list[tuple[str, str, Callable[[date], Period]]] = [
    ("ten-rok", N_("Ten rok"), this_year),
    ("poprzedni-rok", N_("Poprzedni rok"), last_year),
    ("12-miesiecy", N_("Ostatnie 12 miesięcy"), last_12_months),
]


def parse_period(
    date_from: str | date | None,
    date_to: str | date | None,
    on: date,
    fields: tuple[str, str] = ("od", "do"),
    messages: tuple[str, str] = (
        N_("Pole „Od dnia”: podaj datę w formacie RRRR-MM-DD, np. 2026-01-01."),
        N_("Pole „Do dnia”: podaj datę w formacie RRRR-MM-DD, np. 2026-12-31."),
    ),
    order: str = N_("Pole „Od dnia”: data początkowa jest późniejsza niż data końcowa."),
) -> Period:
    """The period asked for; by default from 1 January of the year to today.

    An empty start is 1 January of the end's year, an empty end is today. Raises
    InvalidArgument naming the field when a date cannot be read or the start is after the end.
    """
    start = _day(date_from, fields[0], messages[0])
    end = _day(date_to, fields[1], messages[1]) or on
    start = start or date(end.year, 1, 1)
    if start > end:
        raise InvalidArgument(order, field=fields[0])
    return Period(start, end)


def _day(value: str | date | None, field: str, message: str) -> date | None:
    if isinstance(value, date) or value is None:
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(message, field=field) from None


@dataclass(frozen=True)
class Line:
    """One entry of the statement, with the document the resident may download."""

    booked_on: date | None
    kind: str
    module: str
    description: str
    document_number: str
    document_id: str
    debit: int
    credit: int
    balance: int


@dataclass(frozen=True)
class Statement:
    payer_id: str
    module: str
    period: Period
    opening: int  # positive: the payer owes; negative: overpaid
    closing: int
    lines: list[Line]
    payer: Any = None  # billing's Payer (name, address) when asked for

    @property
    def debit_total(self) -> int:
        return sum(x.debit for x in self.lines)

    @property
    def credit_total(self) -> int:
        return sum(x.credit for x in self.lines)


async def fetch(
    stub: Any, token: str, payer_id: str, module: str, period: Period, with_payer: bool = False
) -> Statement:
    """The statement from billing; document numbers resolved to the payer's own documents."""
    ledger_call = call(
        stub.GetLedger,
        billing_pb2.GetLedgerRequest(
            payer_id=payer_id,
            module=module,
            date_from=pb_date(period.date_from),
            date_to=pb_date(period.date_to),
        ),
        token=token,
    )
    docs_call = call(
        stub.ListDocuments, billing_pb2.ListDocumentsRequest(payer_id=payer_id), token=token
    )
    if with_payer:
        payer_call = call(
            stub.GetPayer, billing_pb2.GetPayerRequest(payer_id=payer_id), token=token
        )
        ledger, docs, payer = await asyncio.gather(ledger_call, docs_call, payer_call)
    else:
        (ledger, docs), payer = await asyncio.gather(ledger_call, docs_call), None
    ids = {d.number: d.document_id for d in docs.documents if d.number}
    lines = [
        Line(
            booked_on=to_date(e.date),
            kind=e.kind,
            module=e.module,
            description=e.description,
            document_number=e.document_number,
            document_id=ids.get(e.document_number, "") if e.document_number else "",
            debit=e.debit_grosze,
            credit=e.credit_grosze,
            balance=e.balance_grosze,
        )
        for e in ledger.entries
    ]
    return Statement(
        payer_id=payer_id,
        module=module,
        period=period,
        opening=ledger.opening_balance_grosze,
        closing=ledger.closing_balance_grosze,
        lines=lines,
        payer=payer.payer if payer is not None else None,
    )


def balance_state(grosze: int) -> str:
    """What a balance means, in words (Polish message id)."""
    if grosze > 0:
        return N_("do zapłaty")
    if grosze < 0:
        return N_("nadpłata")
    return N_("rozliczone")


def amount(grosze: int) -> str:
    """An amount as Polish Excel reads a number: decimal comma, no thousands separator."""
    sign = "-" if grosze < 0 else ""
    whole, gr = divmod(abs(grosze), 100)
    return f"{sign}{whole},{gr:02d}"


def cell(text: str) -> str:
    """A text cell that a spreadsheet will not take for a formula (a transfer title is input)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(st: Statement, section: Callable[[str], str]) -> bytes:
    """The statement as CSV: UTF-8 with BOM, semicolons, decimal comma (Excel in Poland)."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(
        [
            _("Data"),
            _("Opis"),
            _("Sekcja"),
            _("Numer dokumentu"),
            _("Naliczono"),
            _("Wpłacono / uznano"),
            _("Saldo po operacji"),
        ]
    )
    w.writerow(
        [st.period.date_from.isoformat(), _("Saldo początkowe"), "", "", "", "", amount(st.opening)]
    )
    for x in st.lines:
        w.writerow(
            [
                x.booked_on.isoformat() if x.booked_on else "",
                cell(service_text(x.description)),
                cell(section(x.module)) if x.module else "",
                cell(x.document_number),
                amount(x.debit) if x.debit else "",
                amount(x.credit) if x.credit else "",
                amount(x.balance),
            ]
        )
    w.writerow(
        [st.period.date_to.isoformat(), _("Saldo końcowe"), "", "", "", "", amount(st.closing)]
    )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_filename(st: Statement) -> str:
    p = st.period
    module = f"-{st.module}" if st.module else ""
    return f"historia-rozliczen-{st.payer_id}{module}-{p.date_from}-{p.date_to}.csv"
