"""Routes of the accounts feature; every action goes to identity over gRPC with the clerk's token."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.auth import CurrentClerk, require_clerk
from admin.clients import service_channel
from portal.identity.v1 import identity_pb2, identity_pb2_grpc
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError
from portal_platform.rpc.client import call

router = APIRouter()
Clerk = Annotated[CurrentClerk, Depends(require_clerk)]
WARSAW = ZoneInfo("Europe/Warsaw")
STATES = {
    "": "Wszystkie",
    "active": "Czekają na weryfikację",
    "verified": "Zweryfikowane",
    "registered": "Nieaktywowane (bez kliknięcia linku)",
    "suspended": "Zawieszone",
}
DOCUMENTS = {
    "dowod_osobisty": "Dowód osobisty",
    "paszport": "Paszport",
    "mobywatel": "mObywatel",
    "karta_pobytu": "Karta pobytu",
    "pelnomocnictwo_krs": "Dokument reprezentanta + KRS/CEIDG lub pełnomocnictwo",
}
DONE = {
    "verified": "Tożsamość potwierdzona.",
    "linked": "Kartoteka połączona z kontem.",
    "unlinked": "Kartoteka odłączona od konta.",
    "suspended": "Konto zawieszone.",
    "reinstated": "Konto przywrócone.",
}
ACTIONS = {
    "account.registered": "rejestracja",
    "account.activated": "aktywacja linkiem",
    "account.verified": "weryfikacja w urzędzie",
    "payer.linked": "połączenie z kartoteką",
    "payer.unlinked": "odłączenie kartoteki",
    "account.suspended": "zawieszenie",
    "account.reinstated": "przywrócenie",
    "login.locked": "blokada po nieudanych logowaniach",
    "account.password_reset": "zmiana hasła linkiem",
    "account.password_changed": "zmiana hasła tymczasowego",
    "totp.enrolled": "konfiguracja TOTP",
    "staff.created": "utworzenie konta pracownika",
}


def when(ts: Any) -> str:
    if not ts.seconds:
        return ""
    return str(ts.ToDatetime(tzinfo=UTC).astimezone(WARSAW).strftime("%d.%m.%Y %H:%M"))


def _stub(request: Request) -> identity_pb2_grpc.IdentityServiceStub:
    return identity_pb2_grpc.IdentityServiceStub(service_channel(request, "identity"))


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context |= {
        "when": when,
        "states": STATES,
        "documents": DOCUMENTS,
        "actions": ACTIONS,
        "json": json,
    }
    page: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, name, context, status_code=status_code
    )
    return page


@router.get("/konta")
async def accounts(request: Request, clerk: Clerk, stan: str = "active", q: str = "") -> Response:
    """Accounts, by default those waiting for verification in the office."""
    stan = stan if stan in STATES else "active"
    resp = await call(
        _stub(request).ListAccounts,
        identity_pb2.ListAccountsRequest(state=stan, query=q, limit=200),
        token=clerk.access_token,
    )
    return _page(request, "accounts/list.html", items=resp.accounts, stan=stan, q=q)


async def _detail(
    request: Request,
    clerk: CurrentClerk,
    account_id: str,
    *,
    error: DomainError | None = None,
    done: str = "",
) -> Response:
    stub = _stub(request)
    details = (
        await call(
            stub.GetAccountDetails,
            identity_pb2.GetAccountDetailsRequest(account_id=account_id),
            token=clerk.access_token,
        )
    ).details
    log = await call(
        stub.ListAuditEntries,
        identity_pb2.ListAuditEntriesRequest(account_id=account_id, limit=50),
        token=clerk.access_token,
    )
    return _page(
        request,
        "accounts/detail.html",
        422 if error else 200,
        d=details,
        entries=log.entries,
        error=error,
        done=DONE.get(done, ""),
    )


@router.get("/konta/{account_id}")
async def detail(request: Request, clerk: Clerk, account_id: str, ok: str = "") -> Response:
    return await _detail(request, clerk, account_id, done=ok)


async def _act(
    request: Request, clerk: CurrentClerk, account_id: str, method: str, done: str, **fields: str
) -> Response:
    """Call identity; on success back to the account (PRG), on a refusal show why."""
    form = await request.form()
    values = {k: str(form.get(v, "")) for k, v in fields.items()}
    request_cls = getattr(identity_pb2, f"{method}Request")
    req = request_cls(account_id=account_id, client_address=_address(request), **values)
    try:
        await call(getattr(_stub(request), method), req, token=clerk.access_token)
    except DomainError as exc:
        return await _detail(request, clerk, account_id, error=exc)
    return RedirectResponse(f"/konta/{account_id}?ok={done}", status_code=303)


@router.post("/konta/{account_id}/weryfikacja", dependencies=[Depends(verify_csrf)])
async def verify(request: Request, clerk: Clerk, account_id: str) -> Response:
    return await _act(
        request, clerk, account_id, "VerifyAccount", "verified", document_type="document_type"
    )


@router.post("/konta/{account_id}/platnicy", dependencies=[Depends(verify_csrf)])
async def link(request: Request, clerk: Clerk, account_id: str) -> Response:
    return await _act(request, clerk, account_id, "LinkPayer", "linked", payer_id="payer_id")


@router.post("/konta/{account_id}/platnicy/usun", dependencies=[Depends(verify_csrf)])
async def unlink(request: Request, clerk: Clerk, account_id: str) -> Response:
    return await _act(request, clerk, account_id, "UnlinkPayer", "unlinked", payer_id="payer_id")


@router.post("/konta/{account_id}/zawieszenie", dependencies=[Depends(verify_csrf)])
async def suspend(request: Request, clerk: Clerk, account_id: str) -> Response:
    return await _act(request, clerk, account_id, "SuspendAccount", "suspended", reason="reason")


@router.post("/konta/{account_id}/przywrocenie", dependencies=[Depends(verify_csrf)])
async def reinstate(request: Request, clerk: Clerk, account_id: str) -> Response:
    return await _act(request, clerk, account_id, "ReinstateAccount", "reinstated")


@router.get("/dziennik")
async def audit_log(request: Request, clerk: Clerk, konto: str = "") -> Response:
    """The audit log of identity: who did what, when, from where, before/after."""
    resp = await call(
        _stub(request).ListAuditEntries,
        identity_pb2.ListAuditEntriesRequest(account_id=konto, limit=500),
        token=clerk.access_token,
    )
    return _page(request, "accounts/audit.html", entries=resp.entries, konto=konto)
