"""API: the account statement (kartoteka) of a payer for a period — Historia rozliczeń."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from gateway.features.api import schemas as s
from gateway.features.api.app import CallerDep
from gateway.features.api.routes_money import billing
from gateway.features.billing import statement
from gateway.web.dates import today
from portal_platform.errors import InvalidArgument

router = APIRouter(tags=["należności"])
ORDER = "Data początkowa (date_from) jest późniejsza niż końcowa (date_to)."
Module = Annotated[
    str,
    Query(
        max_length=40,
        pattern=r"^[a-z0-9_]*$",
        description="Klucz sekcji z /modules (np. water); puste — wszystkie sekcje",
    ),
]
Day = Annotated[date | None, Query(description="RRRR-MM-DD")]


@router.get("/payers/{payer_id}/statement", response_model=s.StatementOut)
async def payer_statement(
    request: Request,
    payer_id: s.PayerId,
    caller: CallerDep,
    module: Module = "",
    date_from: Day = None,
    date_to: Day = None,
) -> s.StatementOut:
    """Historia rozliczeń: naliczenia, wpłaty i saldo po każdej operacji w okresie."""
    payer_id = caller.own(payer_id)
    if module:
        known = {m.key for m in await request.app.state.modules.ensure(caller.token)}
        if module not in known:
            raise InvalidArgument("Nieznana sekcja; klucze podaje /modules.", field="module")
    period = statement.parse_period(
        date_from, date_to, today(), ("date_from", "date_to"), ("", ""), ORDER
    )
    st = await statement.fetch(billing(request), caller.token, payer_id, module, period)
    return s.StatementOut(
        payer_id=st.payer_id,
        module=st.module,
        date_from=period.date_from,
        date_to=period.date_to,
        opening_balance_grosze=st.opening,
        closing_balance_grosze=st.closing,
        debit_total_grosze=st.debit_total,
        credit_total_grosze=st.credit_total,
        entries=[
            s.StatementEntryOut(
                booked_on=x.booked_on,
                kind=x.kind,
                module=x.module,
                description=x.description,
                document_number=x.document_number,
                document_id=x.document_id,
                download_url=f"/api/v1/documents/{x.document_id}/file" if x.document_id else "",
                debit_grosze=x.debit,
                credit_grosze=x.credit,
                balance_grosze=x.balance,
            )
            for x in st.lines
        ],
    )
