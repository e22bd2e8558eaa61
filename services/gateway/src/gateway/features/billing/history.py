"""Routes of Historia rozliczeń (/naleznosci/historia): the account statement and its CSV."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from gateway.auth import CurrentUser, require_verified
from gateway.features.billing import client, statement, views
from gateway.web.dates import today
from gateway.web.i18n import N_
from portal_platform.error_pages import error_response
from portal_platform.errors import DomainError, InvalidArgument

router = APIRouter()
Resident = Annotated[CurrentUser, Depends(require_verified)]
PAGE = "/naleznosci/historia"
# billing's field names → the form's
FIELDS = {"date_from": "od", "date_to": "do", "module": "modul"}


def page_url(path: str, payer_id: str, module: str, period: statement.Period) -> str:
    query = {"platnik": payer_id, "modul": module, "od": period.date_from, "do": period.date_to}
    return f"{path}?{urlencode({k: v for k, v in query.items() if v})}"


def section_labels(modules: dict[str, tuple[str, int, str]]) -> dict[str, tuple[str, str]]:
    return {k: (label, lang) for k, (label, _order, lang) in modules.items()}


def label_of(labels: dict[str, tuple[str, str]], key: str) -> str:
    return labels.get(key, (key.replace("_", " ").capitalize(), ""))[0]


async def prepare(request: Request, user: CurrentUser) -> dict[str, Any] | Response:
    """The form's values and choices; a 404 page for a kartoteka that is not the user's."""
    q = request.query_params
    payer_id = q.get("platnik", "") or (user.payers[0] if user.payers else "")
    if payer_id not in user.payers:
        return error_response(request, 404, N_("Nie znaleziono kartoteki."))
    modules = await client.modules(request, user.access_token)
    choices = sorted(modules.items(), key=lambda kv: (kv[1][1], kv[1][0]))
    return {
        "payer_id": payer_id,
        "payers": list(user.payers),
        "modules": [(key, label, lang) for key, (label, _order, lang) in choices],
        "labels": section_labels(modules),
        "values": {"od": q.get("od", ""), "do": q.get("do", ""), "modul": q.get("modul", "")},
        "today": today(),
    }


def check(ctx: dict[str, Any]) -> tuple[str, statement.Period]:
    """The module and period asked for (InvalidArgument names the field)."""
    values = ctx["values"]
    module = values["modul"]
    if module and module not in ctx["labels"]:
        raise InvalidArgument(N_("Pole „Sekcja”: wybierz sekcję z listy."), field="modul")
    period = statement.parse_period(values["od"], values["do"], ctx["today"])
    return module, period


async def load(
    request: Request, user: CurrentUser, with_payer: bool = True
) -> tuple[dict[str, Any], statement.Statement | None] | Response:
    ctx = await prepare(request, user)
    if isinstance(ctx, Response):
        return ctx
    try:
        module, period = check(ctx)
        found = await statement.fetch(
            client.billing(request),
            user.access_token,
            ctx["payer_id"],
            module,
            period,
            with_payer=with_payer,
        )
    except DomainError as exc:
        if exc.http_status in (403, 404):
            return error_response(request, 404, N_("Nie znaleziono kartoteki."))
        exc.field = FIELDS.get(exc.field, exc.field)
        ctx["error"] = exc
        return ctx, None
    ctx["values"] = {"od": period.date_from.isoformat(), "do": period.date_to.isoformat(),
                     "modul": module}  # fmt: skip
    return ctx, found


def render(request: Request, ctx: dict[str, Any], st: statement.Statement | None) -> Response:
    if st is None:
        ctx["quick"] = []
    else:
        ctx["quick"] = [
            (key, label, page_url(PAGE, st.payer_id, st.module, make(ctx["today"])),
             make(ctx["today"]) == st.period)
            for key, label, make in statement.QUICK
        ]  # fmt: skip
        ctx["csv_url"] = page_url(f"{PAGE}.csv", st.payer_id, st.module, st.period)
        ctx["section"] = lambda key: label_of(ctx["labels"], key)
        ctx["section_lang"] = lambda key: ctx["labels"].get(key, ("", ""))[1]
    ctx["statement"] = st
    status = 422 if "error" in ctx else 200
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "billing/historia.html",
        {**views.HELPERS, **ctx, "balance_state": statement.balance_state},
        status_code=status,
    )


@router.get(PAGE, response_class=HTMLResponse)
async def history(request: Request, user: Resident) -> Response:
    """What was charged and paid on a kartoteka in a period, with the balance after each entry."""
    if not user.payers:
        return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
            request, "billing/historia.html", {"payer_id": "", "statement": None}
        )
    loaded = await load(request, user)
    if isinstance(loaded, Response):
        return loaded
    return render(request, *loaded)


@router.get(f"{PAGE}.csv")
async def history_csv(request: Request, user: Resident) -> Response:
    """The same statement as a CSV file for a spreadsheet."""
    loaded = await load(request, user, with_payer=False) if user.payers else None
    if loaded is None:
        return error_response(request, 404, N_("Nie znaleziono kartoteki."))
    if isinstance(loaded, Response):
        return loaded
    ctx, st = loaded
    if st is None:
        return render(request, ctx, None)
    body = statement.csv_bytes(st, lambda key: label_of(ctx["labels"], key))
    name = quote(statement.csv_filename(st))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            "Cache-Control": "private, no-store",
        },
    )
