"""Declarations in the back office: search, confirm or reject drafts, enter from paper; properties."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.features.waste.common import INPUT_FIELDS, Clerk, pb_date, render, waste
from portal.waste.v1 import waste_pb2
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError

router = APIRouter()
CSRF = [Depends(verify_csrf)]


@router.get("/odpady/deklaracje", response_class=HTMLResponse)
async def search(request: Request, clerk: Clerk) -> Response:
    """Search declarations by payer, property or address; drafts first to confirm."""
    q = request.query_params.get("q", "")
    status = request.query_params.get("stan", "draft")
    found = await waste(
        request, clerk, "SearchDeclarations",
        waste_pb2.SearchDeclarationsRequest(query=q, status=status, limit=200),
    )  # fmt: skip
    return render(
        request,
        "waste/declarations.html",
        {"versions": found.versions, "q": q, "stan": status,
         "done": request.query_params.get("wynik", ""), "error": None},
    )  # fmt: skip


async def _decide(request: Request, clerk: Clerk, version_id: str, confirm: bool) -> Response:
    form = await request.form()
    reason = str(form.get("reason", ""))
    try:
        if confirm:
            resp = await waste(
                request, clerk, "ConfirmDeclaration",
                waste_pb2.ConfirmDeclarationRequest(version_id=version_id, reason=reason),
            )  # fmt: skip
            r = resp.recalculation
            result = f"Deklaracja przyjęta. Przeliczone raty: {r.installments_changed}."
        else:
            await waste(
                request, clerk, "RejectDeclaration",
                waste_pb2.RejectDeclarationRequest(version_id=version_id, reason=reason),
            )  # fmt: skip
            result = "Deklaracja odrzucona."
    except DomainError as exc:
        found = await waste(
            request, clerk, "SearchDeclarations",
            waste_pb2.SearchDeclarationsRequest(status="draft", limit=200),
        )  # fmt: skip
        return render(
            request, "waste/declarations.html",
            {"versions": found.versions, "q": "", "stan": "draft", "done": "",
             "error": exc, "error_version": version_id},
            status=422,
        )  # fmt: skip
    return RedirectResponse("/odpady/deklaracje?" + urlencode({"wynik": result}), status_code=303)


@router.post("/odpady/deklaracje/{version_id}/potwierdz", dependencies=CSRF)
async def confirm(request: Request, version_id: str, clerk: Clerk) -> Response:
    """Confirm a resident's draft (a late decrease needs a reason, e.g. a death)."""
    return await _decide(request, clerk, version_id, True)


@router.post("/odpady/deklaracje/{version_id}/odrzuc", dependencies=CSRF)
async def reject(request: Request, version_id: str, clerk: Clerk) -> Response:
    """Reject a draft with a reason the resident sees."""
    return await _decide(request, clerk, version_id, False)


def _blank(property_id: str = "", payer_id: str = "") -> dict[str, Any]:
    values = {f: "" for f in INPUT_FIELDS}
    values.update(property_id=property_id, payer_id=payer_id, change_date="", filed_on="",
                  reason="", composting="", not_sorting="", as_draft="")  # fmt: skip
    return values


@router.get("/odpady/deklaracje/nowa", response_class=HTMLResponse)
async def paper_form(request: Request, clerk: Clerk) -> Response:
    """Enter a declaration from a paper form."""
    values = _blank(
        request.query_params.get("nieruchomosc", ""), request.query_params.get("platnik", "")
    )
    return render(request, "waste/paper.html", {"values": values, "error": None})


@router.post("/odpady/deklaracje/nowa", response_class=HTMLResponse, dependencies=CSRF)
async def paper_submit(request: Request, clerk: Clerk) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in _blank()}
    try:
        req = waste_pb2.FileDeclarationRequest(
            property_id=values["property_id"],
            payer_id=values["payer_id"],
            input=waste_pb2.DeclarationInput(
                **{f: values[f] for f in INPUT_FIELDS},
                composting=values["composting"] == "1",
                not_sorting=values["not_sorting"] == "1",
            ),
            change_date=pb_date(values["change_date"], "change_date", required=True),
            filed_on=pb_date(values["filed_on"], "filed_on"),
            reason=values["reason"],
            as_draft=values["as_draft"] == "1",
        )
        resp = await waste(request, clerk, "FileDeclaration", req)
    except DomainError as exc:
        return render(request, "waste/paper.html", {"values": values, "error": exc}, status=422)
    v = resp.version
    result = (
        f"Zapisano deklarację nr {v.number} dla {v.address} ({v.payer_id}); "
        f"przeliczone raty: {resp.recalculation.installments_changed}."
    )
    return RedirectResponse(
        "/odpady/deklaracje?" + urlencode({"wynik": result, "stan": v.status, "q": v.payer_id}),
        status_code=303,
    )


async def _properties_page(
    request: Request, clerk: Clerk, values: dict[str, str], error: Any, status: int = 200
) -> Response:
    q = request.query_params.get("q", "")
    found = await waste(request, clerk, "ListProperties", waste_pb2.ListPropertiesRequest(query=q))
    return render(
        request, "waste/properties.html",
        {"properties": found.properties, "q": q, "values": values, "error": error},
        status=status,
    )  # fmt: skip


@router.get("/odpady/nieruchomosci", response_class=HTMLResponse)
async def properties(request: Request, clerk: Clerk) -> Response:
    """Properties (search) and registering a new one."""
    blank = {"property_id": "", "payer_id": "", "address": "", "kind": "single_family"}
    return await _properties_page(request, clerk, blank, None)


@router.post("/odpady/nieruchomosci", response_class=HTMLResponse, dependencies=CSRF)
async def register_property(request: Request, clerk: Clerk) -> Response:
    form = await request.form()
    values = {
        k: str(form.get(k, "")).strip() for k in ("property_id", "payer_id", "address", "kind")
    }
    try:
        resp = await waste(
            request, clerk, "RegisterProperty", waste_pb2.RegisterPropertyRequest(**values)
        )
    except DomainError as exc:
        return await _properties_page(request, clerk, values, exc, status=422)
    p = resp.property
    return RedirectResponse(
        "/odpady/deklaracje/nowa?"
        + urlencode({"nieruchomosc": p.property_id, "platnik": p.payer_id}),
        status_code=303,
    )
