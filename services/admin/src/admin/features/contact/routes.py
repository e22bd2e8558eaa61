"""Routes of the clerks' contact inbox and the sent-mail log."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any, NoReturn
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import grpc
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from admin.auth import CurrentClerk, require_clerk
from admin.clients import service_channel
from portal.notify.v1 import notify_pb2, notify_pb2_grpc
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError, NotFound
from portal_platform.rpc.client import call

router = APIRouter()
Clerk = Annotated[CurrentClerk, Depends(require_clerk)]
WARSAW = ZoneInfo("Europe/Warsaw")
PAGE = 50
UPLOAD_READ_LIMIT = 5 * 1024 * 1024 + 1
CASE_FILTERS = {
    "open": "Oczekujące na odpowiedź",
    "answered": "Z odpowiedzią",
    "closed": "Zamknięte",
    "": "Wszystkie",
}
MAIL_FILTERS = {
    "": "Wszystkie",
    "pending": "Oczekujące / ponawiane",
    "failed": "Niewysłane",
    "sent": "Wysłane",
}
MAIL_STATUS = {"pending": "oczekuje", "sent": "wysłana", "failed": "nie wysłano"}
UNAVAILABLE = "Serwis powiadomień nie odpowiada. Spróbuj ponownie za chwilę."


def stub(request: Request) -> Any:
    return notify_pb2_grpc.NotifyServiceStub(service_channel(request, "notify"))


def when(ts: Any) -> str:
    if not ts.seconds:
        return ""
    return str(ts.ToDatetime(tzinfo=UTC).astimezone(WARSAW).strftime("%d.%m.%Y %H:%M"))


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, f"contact/{name}", {**context, "when": when}, status_code=status
    )


def not_found() -> NoReturn:
    raise HTTPException(status_code=404, detail="Nie ma takiej sprawy.")


def page_number(request: Request) -> int:
    try:
        return max(int(request.query_params.get("strona", "1")), 1)
    except ValueError:
        return 1


@router.get("/kontakt", response_class=HTMLResponse)
async def cases(request: Request, clerk: Clerk) -> Response:
    status = request.query_params.get("stan", "open")
    status = status if status in CASE_FILTERS else "open"
    page = page_number(request)
    resp = await call(
        stub(request).ListContactCases,
        notify_pb2.ListContactCasesRequest(status=status, limit=PAGE, offset=(page - 1) * PAGE),
        token=clerk.access_token,
    )
    return render(
        request,
        "cases.html",
        {"cases": resp.cases, "total": resp.total, "status": status, "filters": CASE_FILTERS,
         "page": page, "pages": max((resp.total + PAGE - 1) // PAGE, 1)},
    )  # fmt: skip


async def case_page(
    request: Request, clerk: CurrentClerk, case_id: str, *, error: dict[str, str] | None = None,
    body: str = "", status: int = 200,
) -> Response:  # fmt: skip
    try:
        resp = await call(
            stub(request).GetContactCase,
            notify_pb2.GetContactCaseRequest(case_id=case_id),
            token=clerk.access_token,
        )
    except NotFound:
        not_found()
    flags = {k: request.query_params.get(k) == "1" for k in ("wyslano", "zamknieto")}
    return render(
        request,
        "case.html",
        {"case": resp.case, "error": error, "body": body, "flags": flags, "clerk": clerk},
        status,
    )


@router.get("/kontakt/{case_id}", response_class=HTMLResponse)
async def case_view(request: Request, case_id: str, clerk: Clerk) -> Response:
    return await case_page(request, clerk, case_id)


@router.post(
    "/kontakt/{case_id}/odpowiedz", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)]
)
async def reply(request: Request, case_id: str, clerk: Clerk) -> Response:
    """The clerk's answer: stored in the thread and e-mailed to the sender."""
    form = await request.form()
    body = str(form.get("body", ""))
    upload = form.get("attachment")
    attachment = None
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(UPLOAD_READ_LIMIT)
        if content:
            attachment = notify_pb2.AttachmentUpload(filename=upload.filename, content=content)
    try:
        await call(
            stub(request).ReplyToContactCase,
            notify_pb2.ReplyToContactCaseRequest(
                case_id=case_id, body=body, author_name=clerk.name, attachment=attachment
            ),
            token=clerk.access_token,
            timeout=30,
        )
    except NotFound:
        not_found()
    except DomainError as exc:
        error = {"message": exc.message, "field": exc.field}
        return await case_page(request, clerk, case_id, error=error, body=body, status=422)
    except (grpc.aio.AioRpcError, OSError):
        error = {"message": UNAVAILABLE, "field": ""}
        return await case_page(request, clerk, case_id, error=error, body=body, status=503)
    return RedirectResponse(f"/kontakt/{case_id}?wyslano=1", status_code=303)


@router.post(
    "/kontakt/{case_id}/zamknij", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)]
)
async def close(request: Request, case_id: str, clerk: Clerk) -> Response:
    try:
        await call(
            stub(request).CloseContactCase,
            notify_pb2.CloseContactCaseRequest(case_id=case_id),
            token=clerk.access_token,
        )
    except NotFound:
        not_found()
    return RedirectResponse(f"/kontakt/{case_id}?zamknieto=1", status_code=303)


@router.get("/kontakt/{case_id}/zalaczniki/{attachment_id}")
async def attachment(request: Request, case_id: str, attachment_id: str, clerk: Clerk) -> Response:
    """Download an attachment; always as a file, never rendered in the back office."""
    try:
        resp = await call(
            stub(request).GetContactAttachment,
            notify_pb2.GetContactAttachmentRequest(case_id=case_id, attachment_id=attachment_id),
            token=clerk.access_token,
        )
    except NotFound:
        not_found()
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


@router.get("/poczta", response_class=HTMLResponse)
async def mail_log(request: Request, clerk: Clerk) -> Response:
    """Every e-mail the portal sent or is trying to send, with attempts and the last error."""
    status = request.query_params.get("stan", "")
    status = status if status in MAIL_FILTERS else ""
    recipient = request.query_params.get("adres", "")[:100]
    page = page_number(request)
    resp = await call(
        stub(request).ListSentMessages,
        notify_pb2.ListSentMessagesRequest(
            status=status, recipient=recipient, limit=PAGE, offset=(page - 1) * PAGE
        ),
        token=clerk.access_token,
    )
    query = {k: v for k, v in (("stan", status), ("adres", recipient)) if v}
    return render(
        request,
        "mail_log.html",
        {"messages": resp.messages, "total": resp.total, "status": status, "recipient": recipient,
         "filters": MAIL_FILTERS, "labels": MAIL_STATUS, "page": page, "query": urlencode(query),
         "pages": max((resp.total + PAGE - 1) // PAGE, 1),
         "retried": request.query_params.get("ponowiono", "")},
    )  # fmt: skip


@router.post("/poczta/{message_id}/ponow", dependencies=[Depends(verify_csrf)])
async def mail_retry(request: Request, message_id: str, clerk: Clerk) -> Response:
    try:
        await call(
            stub(request).RetrySentMessage,
            notify_pb2.RetrySentMessageRequest(message_id=message_id),
            token=clerk.access_token,
        )
    except NotFound:
        raise HTTPException(status_code=404, detail="Nie ma takiej wiadomości.") from None
    return RedirectResponse(f"/poczta?ponowiono={quote(message_id)}", status_code=303)
