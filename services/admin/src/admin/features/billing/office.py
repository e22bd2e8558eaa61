"""Admin Rozliczenia: corrections, statement import and the unmatched queue, reminders, arrears."""

from __future__ import annotations

import csv
import io
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.features.billing.common import Clerk, billing, grosze, iso, pb_date, plain, render
from portal.billing.v1 import billing_pb2
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError, InvalidArgument

router = APIRouter()
CORRECTION_LINES = 3


@router.get("/rozliczenia/dokument/{document_id}/korekta", response_class=HTMLResponse)
async def correction_form(
    request: Request, clerk: Clerk, document_id: str, payer_id: str = ""
) -> Response:
    return render(
        request,
        "correction.html",
        {
            "document_id": document_id,
            "payer_id": payer_id,
            "lines": range(CORRECTION_LINES),
            "values": {},
            "error": None,
        },
    )


@router.post("/rozliczenia/dokument/{document_id}/korekta", dependencies=[Depends(verify_csrf)])
async def correction(request: Request, clerk: Clerk, document_id: str) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    try:
        lines = []
        for i in range(CORRECTION_LINES):
            if not values.get(f"description_{i}", "").strip():
                continue
            net = grosze(values.get(f"net_{i}", ""), f"net_{i}")
            vat = grosze(values.get(f"vat_{i}", ""), f"vat_{i}", required=False)
            lines.append(
                billing_pb2.ChargeLine(
                    description=values[f"description_{i}"],
                    quantity=values.get(f"quantity_{i}") or "1",
                    unit=values.get(f"unit_{i}", ""),
                    unit_net_grosze=grosze(
                        values.get(f"unit_net_{i}", ""), f"unit_net_{i}", required=False
                    )
                    or net,
                    net_grosze=net,
                    vat_rate=values.get(f"vat_rate_{i}", "8"),
                    vat_grosze=vat,
                    gross_grosze=grosze(values.get(f"gross_{i}", ""), f"gross_{i}"),
                )
            )
        doc = await billing(
            request,
            clerk,
            "IssueCorrection",
            billing_pb2.IssueCorrectionRequest(
                document_id=document_id, reason=values.get("reason", ""), lines=lines
            ),
        )
    except DomainError as exc:
        found = re.fullmatch(r"lines\[(\d+)\]\.(\w+)", exc.field)
        if found:
            exc.field = f"{found.group(2).removesuffix('_grosze')}_{found.group(1)}"
        return render(
            request,
            "correction.html",
            {
                "document_id": document_id,
                "payer_id": values.get("payer_id", ""),
                "lines": range(CORRECTION_LINES),
                "values": values,
                "error": exc,
            },
            status=422,
        )
    return RedirectResponse(
        f"/rozliczenia/platnik/{doc.document.payer_id}?zrobione=korekta", status_code=303
    )


@router.get("/rozliczenia/wyciagi", response_class=HTMLResponse)
async def statements(request: Request, clerk: Clerk) -> Response:
    queue = await billing(
        request, clerk, "ListUnmatchedLines", billing_pb2.ListUnmatchedLinesRequest(limit=500)
    )
    return render(
        request, "statements.html", {"queue": list(queue.lines), "result": None, "error": None}
    )


@router.post("/rozliczenia/wyciagi", dependencies=[Depends(verify_csrf)])
async def import_statement(
    request: Request, clerk: Clerk, file: UploadFile, format: Annotated[str, Form()] = ""
) -> Response:
    content = await file.read()
    result, error = None, None
    try:
        result = await billing(
            request,
            clerk,
            "ImportStatement",
            billing_pb2.ImportStatementRequest(
                filename=file.filename or "wyciag", content=content, format=format
            ),
        )
    except DomainError as exc:
        error = exc
        if exc.field == "content":
            error.field = "file"
    queue = await billing(
        request, clerk, "ListUnmatchedLines", billing_pb2.ListUnmatchedLinesRequest(limit=500)
    )
    return render(
        request,
        "statements.html",
        {"queue": list(queue.lines), "result": result, "error": error},
        status=422 if error else 200,
    )


@router.post("/rozliczenia/wyciagi/{line_id}/przypisz", dependencies=[Depends(verify_csrf)])
async def assign(
    request: Request,
    clerk: Clerk,
    line_id: str,
    payer_id: Annotated[str, Form()] = "",
    charge_id: Annotated[str, Form()] = "",
) -> Response:
    try:
        if not payer_id.strip():
            raise InvalidArgument("Podaj kartotekę płatnika.", field=f"payer_{line_id}")
        await billing(
            request,
            clerk,
            "AssignStatementLine",
            billing_pb2.AssignStatementLineRequest(
                line_id=line_id, payer_id=payer_id.strip(), charge_id=charge_id.strip()
            ),
        )
    except DomainError as exc:
        if not exc.field.startswith("payer_"):
            exc.field = f"payer_{line_id}"
        queue = await billing(
            request, clerk, "ListUnmatchedLines", billing_pb2.ListUnmatchedLinesRequest(limit=500)
        )
        return render(
            request,
            "statements.html",
            {"queue": list(queue.lines), "result": None, "error": exc},
            status=422,
        )
    return RedirectResponse("/rozliczenia/wyciagi", status_code=303)


@router.get("/rozliczenia/upomnienia", response_class=HTMLResponse)
async def reminders(
    request: Request, clerk: Clerk, modul: str = "", na_dzien: str = ""
) -> Response:
    try:
        run = await billing(
            request,
            clerk,
            "RunReminders",
            billing_pb2.RunRemindersRequest(
                module=modul, as_of=pb_date(na_dzien, "na_dzien"), dry_run=True
            ),
        )
    except DomainError as exc:
        return render(
            request,
            "reminders.html",
            {"run": None, "error": exc, "modul": modul, "na_dzien": na_dzien, "issued": False},
            status=422,
        )
    return render(
        request,
        "reminders.html",
        {"run": run, "error": None, "modul": modul, "na_dzien": na_dzien, "issued": False},
    )


@router.post("/rozliczenia/upomnienia", dependencies=[Depends(verify_csrf)])
async def issue_reminders(
    request: Request,
    clerk: Clerk,
    modul: Annotated[str, Form()] = "",
    na_dzien: Annotated[str, Form()] = "",
) -> Response:
    run = await billing(
        request,
        clerk,
        "RunReminders",
        billing_pb2.RunRemindersRequest(module=modul, as_of=pb_date(na_dzien, "na_dzien")),
    )
    return render(
        request,
        "reminders.html",
        {"run": run, "error": None, "modul": modul, "na_dzien": na_dzien, "issued": True},
    )


async def arrears_rows(request: Request, clerk: Clerk, modul: str, na_dzien: str) -> list[Any]:
    report = await billing(
        request,
        clerk,
        "GetArrearsReport",
        billing_pb2.GetArrearsReportRequest(module=modul, as_of=pb_date(na_dzien, "na_dzien")),
    )
    return list(report.rows)


@router.get("/rozliczenia/zaleglosci", response_class=HTMLResponse)
async def arrears(request: Request, clerk: Clerk, modul: str = "", na_dzien: str = "") -> Response:
    try:
        rows = await arrears_rows(request, clerk, modul, na_dzien)
    except DomainError as exc:
        return render(
            request,
            "arrears.html",
            {"rows": [], "error": exc, "modul": modul, "na_dzien": na_dzien},
            status=422,
        )
    return render(
        request, "arrears.html", {"rows": rows, "error": None, "modul": modul, "na_dzien": na_dzien}
    )


@router.get("/rozliczenia/zaleglosci.csv")
async def arrears_csv(
    request: Request, clerk: Clerk, modul: str = "", na_dzien: str = ""
) -> Response:
    rows = await arrears_rows(request, clerk, modul, na_dzien)
    out = io.StringIO()
    w = csv.writer(out, delimiter=";")
    w.writerow(
        [
            "kartoteka",
            "płatnik",
            "moduł",
            "zaległość_zł",
            "odsetki_zł",
            "koszty_upomnień_zł",
            "najstarszy_termin",
            "pozycji",
        ]
    )
    for r in rows:
        w.writerow(
            [
                r.payer_id,
                r.payer_name,
                r.module,
                plain(r.overdue_grosze),
                plain(r.interest_grosze),
                plain(r.reminder_costs_grosze),
                iso(r.oldest_due_date),
                r.overdue_items,
            ]
        )
    name = f"zaleglosci_{modul or 'wszystkie'}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
