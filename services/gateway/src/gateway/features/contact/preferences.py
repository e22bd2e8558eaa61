"""The "Powiadomienia" page: which optional e-mails the resident wants."""

from __future__ import annotations

from typing import Annotated

import grpc
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.auth import CurrentUser, require_user
from gateway.features.contact.client import error_of, notify_stub
from portal.notify.v1 import notify_pb2
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError
from portal_platform.rpc.client import call

router = APIRouter()
User = Annotated[CurrentUser, Depends(require_user)]
CHOICES = (
    ("readings", "Decyzje o moich odczytach wodomierza (przyjęty, poprawiony, odrzucony)"),
    ("documents", "Nowe dokumenty: faktury, zawiadomienia o opłacie, upomnienia"),
    ("payments", "Zaksięgowane wpłaty"),
    ("reminders", "Przypomnienia przed terminem odczytu i terminem płatności"),
)


def page(request: Request, prefs: object, *, saved: bool, error: dict[str, str] | None = None,
         status: int = 200) -> Response:  # fmt: skip
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "contact/preferences.html",
        {"prefs": prefs, "choices": CHOICES, "saved": saved, "error": error},
        status_code=status,
    )


@router.get("/powiadomienia", response_class=HTMLResponse)
async def preferences_form(request: Request, user: User) -> Response:
    try:
        resp = await call(
            notify_stub(request).GetNotificationPreferences,
            notify_pb2.GetNotificationPreferencesRequest(),
            token=user.access_token,
        )
    except (grpc.aio.AioRpcError, DomainError, OSError) as exc:
        return page(request, None, saved=False, error=error_of(exc), status=503)
    return page(request, resp.preferences, saved=request.query_params.get("zapisano") == "1")


@router.post("/powiadomienia", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def preferences_save(request: Request, user: User) -> Response:
    form = await request.form()
    chosen = notify_pb2.NotificationPreferences(
        **{key: form.get(key) == "1" for key, _label in CHOICES}
    )
    try:
        await call(
            notify_stub(request).SetNotificationPreferences,
            notify_pb2.SetNotificationPreferencesRequest(preferences=chosen),
            token=user.access_token,
        )
    except (grpc.aio.AioRpcError, DomainError, OSError) as exc:
        return page(request, chosen, saved=False, error=error_of(exc), status=503)
    return RedirectResponse("/powiadomienia?zapisano=1", status_code=303)
