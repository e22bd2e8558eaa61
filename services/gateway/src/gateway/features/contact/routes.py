"""Routes of "Kontakt z urzędnikiem": the form, the resident's cases and their threads."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any, NoReturn
from urllib.parse import quote
from zoneinfo import ZoneInfo

import grpc
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from gateway.auth import CurrentUser, current_user, require_user
from gateway.features.contact.client import error_of, notify_stub, status_of, token_for
from portal.notify.v1 import notify_pb2
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError, NotFound
from portal_platform.logging import get_logger
from portal_platform.rpc.client import call

router = APIRouter()
log = get_logger(__name__)
WARSAW = ZoneInfo("Europe/Warsaw")
User = Annotated[CurrentUser, Depends(require_user)]
# Read at most this much of an upload: notify refuses anything over 5 MB with its own message.
UPLOAD_READ_LIMIT = 5 * 1024 * 1024 + 1
FIELDS = ("topic", "subject", "body", "email", "name")
STATUS_FILTERS = {
    "": "Wszystkie",
    "open": "Oczekujące",
    "answered": "Z odpowiedzią",
    "closed": "Zamknięte",
}


def when(ts: Any) -> str:
    """A protobuf timestamp as Warsaw local time, e.g. 27.11.2026 14:05."""
    if not ts.seconds:
        return ""
    return str(ts.ToDatetime(tzinfo=UTC).astimezone(WARSAW).strftime("%d.%m.%Y %H:%M"))


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, f"contact/{name}", {**context, "when": when}, status_code=status
    )


async def read_upload(value: Any) -> notify_pb2.AttachmentUpload | None:
    """The chosen file (None when none was chosen); at most 5 MB + 1 byte is read."""
    if not isinstance(value, StarletteUpload) or not value.filename:
        return None
    content = await value.read(UPLOAD_READ_LIMIT)
    if not content and not value.size:
        return None
    return notify_pb2.AttachmentUpload(
        filename=value.filename, content_type=value.content_type or "", content=content
    )


async def topics(request: Request) -> list[Any]:
    resp = await call(
        notify_stub(request).ListContactTopics,
        notify_pb2.ListContactTopicsRequest(),
        token=await token_for(request),
    )
    return list(resp.topics)


async def form_page(
    request: Request, values: dict[str, str], error: dict[str, str] | None = None, status: int = 200
) -> Response:
    try:
        found = await topics(request)
    except (grpc.aio.AioRpcError, DomainError, OSError) as exc:
        log.warning("notify unavailable for the contact form", error=repr(exc))
        found, error, status = [], error_of(exc), 503
    return render(
        request,
        "form.html",
        {"topics": found, "values": values, "error": error, "user": current_user(request)},
        status,
    )


@router.get("/kontakt", response_class=HTMLResponse)
async def contact_form(request: Request) -> Response:
    """The form; a visitor gives an e-mail address, a resident writes from their account."""
    return await form_page(request, dict.fromkeys(FIELDS, ""))


@router.post("/kontakt", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def contact_send(request: Request) -> Response:
    form = await request.form()
    values = {f: str(form.get(f, "")) for f in FIELDS}
    user = current_user(request)
    if user is not None:
        values["email"], values["name"] = user.email, user.name
    try:
        attachment = await read_upload(form.get("attachment"))
        resp = await call(
            notify_stub(request).CreateContactCase,
            notify_pb2.CreateContactCaseRequest(
                topic=values["topic"],
                subject=values["subject"],
                body=values["body"],
                email=values["email"],
                name=values["name"],
                client_address=request.client.host if request.client else "",
                language="pl",
                attachment=attachment,
            ),
            token=await token_for(request),
            timeout=30,
        )
    except (grpc.aio.AioRpcError, DomainError, OSError) as exc:
        return await form_page(request, values, error_of(exc), status_of(exc))
    if user is not None:
        return RedirectResponse(f"/kontakt/sprawy/{resp.case.case_id}?wyslano=1", status_code=303)
    return RedirectResponse(f"/kontakt/wyslano?nr={quote(resp.case.number)}", status_code=303)


@router.get("/kontakt/wyslano", response_class=HTMLResponse)
async def contact_sent(request: Request) -> Response:
    return render(request, "sent.html", {"number": request.query_params.get("nr", "")[:40]})


@router.get("/kontakt/sprawy", response_class=HTMLResponse)
async def my_cases(request: Request, user: User) -> Response:
    status = request.query_params.get("stan", "")
    status = status if status in STATUS_FILTERS else ""
    resp = await call(
        notify_stub(request).ListContactCases,
        notify_pb2.ListContactCasesRequest(status=status, limit=100),
        token=user.access_token,
    )
    return render(
        request, "cases.html", {"cases": resp.cases, "status": status, "filters": STATUS_FILTERS}
    )


async def get_case(request: Request, user: CurrentUser, case_id: str) -> Any:
    try:
        resp = await call(
            notify_stub(request).GetContactCase,
            notify_pb2.GetContactCaseRequest(case_id=case_id),
            token=user.access_token,
        )
    except NotFound:
        raise_not_found()
    return resp.case


def raise_not_found() -> NoReturn:
    raise HTTPException(status_code=404, detail="Nie ma takiej sprawy.")


async def case_page(
    request: Request,
    user: CurrentUser,
    case_id: str,
    *,
    error: dict[str, str] | None = None,
    body: str = "",
    status: int = 200,
) -> Response:
    case = await get_case(request, user, case_id)
    flags = {k: request.query_params.get(k) == "1" for k in ("wyslano", "dodano", "zamknieto")}
    return render(
        request,
        "case.html",
        {"case": case, "error": error, "body": body, "flags": flags},
        status,
    )


@router.get("/kontakt/sprawy/{case_id}", response_class=HTMLResponse)
async def case_view(request: Request, case_id: str, user: User) -> Response:
    return await case_page(request, user, case_id)


@router.post(
    "/kontakt/sprawy/{case_id}/odpowiedz",
    response_class=HTMLResponse,
    dependencies=[Depends(verify_csrf)],
)
async def case_reply(request: Request, case_id: str, user: User) -> Response:
    form = await request.form()
    body = str(form.get("body", ""))
    try:
        await call(
            notify_stub(request).ReplyToContactCase,
            notify_pb2.ReplyToContactCaseRequest(
                case_id=case_id, body=body, attachment=await read_upload(form.get("attachment"))
            ),
            token=user.access_token,
            timeout=30,
        )
    except NotFound:
        raise_not_found()
    except (grpc.aio.AioRpcError, DomainError, OSError) as exc:
        return await case_page(
            request, user, case_id, error=error_of(exc), body=body, status=status_of(exc)
        )
    return RedirectResponse(f"/kontakt/sprawy/{case_id}?dodano=1#ostatnia", status_code=303)


@router.post(
    "/kontakt/sprawy/{case_id}/zamknij",
    response_class=HTMLResponse,
    dependencies=[Depends(verify_csrf)],
)
async def case_close(request: Request, case_id: str, user: User) -> Response:
    try:
        await call(
            notify_stub(request).CloseContactCase,
            notify_pb2.CloseContactCaseRequest(case_id=case_id),
            token=user.access_token,
        )
    except NotFound:
        raise_not_found()
    return RedirectResponse(f"/kontakt/sprawy/{case_id}?zamknieto=1", status_code=303)


@router.get("/kontakt/sprawy/{case_id}/zalaczniki/{attachment_id}")
async def case_attachment(
    request: Request, case_id: str, attachment_id: str, user: User
) -> Response:
    """Download an attachment of one's own case (never shown inline)."""
    try:
        resp = await call(
            notify_stub(request).GetContactAttachment,
            notify_pb2.GetContactAttachmentRequest(case_id=case_id, attachment_id=attachment_id),
            token=user.access_token,
        )
    except NotFound:
        raise_not_found()
    return attachment_response(resp)


def attachment_response(resp: Any) -> Response:
    name = resp.info.filename
    ascii_name = name.encode("ascii", "ignore").decode() or "zalacznik"
    return Response(
        resp.content,
        media_type=resp.info.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
