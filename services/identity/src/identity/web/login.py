"""Login with throttling and lockout, TOTP (enrolment with a QR code) for staff, password reset."""

from __future__ import annotations

import time
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from identity.accounts import login as logins
from identity.accounts import rules, totp
from identity.accounts import service as accounts
from identity.accounts.models import Account
from identity.accounts.schemas import FieldError
from identity.web.i18n import language, translator
from identity.web.render import client_address, error_map, message, render, safe_next
from portal_platform.csrf import verify_csrf

router = APIRouter()
WARSAW = ZoneInfo("Europe/Warsaw")
CHANGE_PASSWORD_PATH = "/haslo/zmiana"
STATUS_CODES = {
    "bad_credentials": 401,
    "locked": 423,
    "address_blocked": 429,
    "not_activated": 403,
    "suspended": 403,
}


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


def start_session(request: Request, account: Account, amr: str) -> None:
    """The identity login session (used by /authorize): account, its stamp, time and method."""
    pending_next = request.session.get("next", "/")
    lang = request.session.get("lang", "pl")
    request.session.clear()
    request.session.update(
        {
            "uid": account.id,
            "stamp": account.security_stamp,
            "auth_time": int(time.time()),
            "amr": amr,
            "lang": lang,
            "next": pending_next,
        }
    )


def signed_in(request: Request, account: Account, amr: str, target: str) -> Response:
    """Start the session and go on; a password someone else set is replaced first."""
    logins.record_login(account)
    request.session["next"] = target
    start_session(request, account, amr)
    if account.must_change_password:
        return RedirectResponse(CHANGE_PASSWORD_PATH, status_code=303)
    return RedirectResponse(target, status_code=303)


@router.get("/logowanie")
async def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=safe_next(next))


@router.post("/logowanie", dependencies=[Depends(verify_csrf)])
async def login(request: Request) -> Response:
    data = await _form(request)
    target = safe_next(data.get("next"))
    t = translator(language(request))
    rt, ctx = request.app.state.runtime, request.app.state.ctx
    async with rt.db.transaction() as session:
        result = await logins.authenticate(
            session,
            ctx,
            rules.clean(data.get("email"), 254).lower(),
            data.get("password", ""),
            client_address=client_address(request),
        )
        account = result.account
        if result.status == "ok" and account is not None:
            if logins.needs_second_factor(account):
                request.session.update({"pending": account.id, "next": target})
                if not account.totp_enabled:
                    request.session["totp_secret"] = totp.new_secret()
                return RedirectResponse("/logowanie/totp", status_code=303)
            return signed_in(request, account, "pwd", target)
    until = result.until.astimezone(WARSAW).strftime("%H:%M") if result.until else ""
    return render(
        request,
        "login.html",
        STATUS_CODES[result.status],
        next=target,
        form={"email": data.get("email", "")},
        message=t(result.status, until=until),
        show_resend=result.status == "not_activated",
    )


@router.get("/logowanie/totp")
async def totp_form(request: Request) -> Response:
    return await _totp_page(request, [])


async def _totp_page(
    request: Request, errors: list[FieldError], status_code: int = 200
) -> Response:
    pending = request.session.get("pending")
    if not pending:
        return RedirectResponse("/logowanie", status_code=303)
    secret = request.session.get("totp_secret", "")
    context: dict[str, object] = {"enrol": bool(secret), "errors": error_map(request, errors)}
    if secret:
        rt = request.app.state.runtime
        async with rt.db.sessions() as session:
            account = await accounts.get(session, pending)
        email = account.email if account else ""
        context |= {
            "secret": secret,
            "qr": totp.qr_svg_data_uri(totp.provisioning_uri(secret, email)),
        }
    return render(request, "totp.html", status_code, **context)


@router.post("/logowanie/totp", dependencies=[Depends(verify_csrf)])
async def totp_check(request: Request) -> Response:
    pending = request.session.get("pending")
    if not pending:
        return RedirectResponse("/logowanie", status_code=303)
    code = (await _form(request)).get("code", "")
    secret = request.session.get("totp_secret", "")
    rt, ctx = request.app.state.runtime, request.app.state.ctx
    address = client_address(request)
    async with rt.db.transaction() as session:
        account = await accounts.get(session, pending)
        if account is None or account.state == "suspended":
            request.session.clear()
            return RedirectResponse("/logowanie", status_code=303)
        if logins.locked(account):
            request.session.clear()
            return message(request, "login_title", "locked", status_code=423, until="")
        ok = (
            logins.enrol_totp(session, account, secret, code, client_address=address)
            if secret
            else logins.check_totp(account, code)
        )
        if ok:
            return signed_in(request, account, "pwd otp", safe_next(request.session.get("next")))
        result = await logins.count_failure(session, ctx, account, address)
    if result.status == "locked":
        request.session.clear()
        return message(
            request,
            "login_title",
            "locked",
            status_code=423,
            until=result.until.astimezone(WARSAW).strftime("%H:%M") if result.until else "",
        )
    return await _totp_page(request, [FieldError("code", "code_invalid")], 401)


@router.get("/haslo/reset")
async def reset_form(request: Request) -> Response:
    t = translator(language(request))
    return render(
        request,
        "email_form.html",
        title=t("reset_title"),
        submit=t("reset_submit"),
        action="/haslo/reset",
    )


@router.post("/haslo/reset", dependencies=[Depends(verify_csrf)])
async def reset_request(request: Request) -> Response:
    data = await _form(request)
    errors: list[FieldError] = []
    email = rules.normalise_email(rules.clean(data.get("email"), 254), errors)
    if errors:
        t = translator(language(request))
        return render(
            request,
            "email_form.html",
            422,
            title=t("reset_title"),
            submit=t("reset_submit"),
            action="/haslo/reset",
            form=data,
            errors=error_map(request, errors),
        )
    rt = request.app.state.runtime
    async with rt.db.transaction() as session:
        await accounts.request_password_reset(session, request.app.state.ctx, email)
    return message(request, "reset_title", "reset_sent")


def _reset_link_problem(request: Request, status: str) -> Response:
    t = translator(language(request))
    code = {"invalid": 404, "expired": 410, "used": 410}[status]
    return message(
        request,
        "new_password_title",
        f"link_{status}",
        status_code=code,
        links=[("/haslo/reset", t("reset_title"))],
    )


@router.get("/haslo/nowe")
async def new_password_form(request: Request, token: str = "") -> Response:
    rt = request.app.state.runtime
    async with rt.db.sessions() as session:
        check = await accounts.check_link(session, token, accounts.RESET)
    if check.status != "ok":
        return _reset_link_problem(request, check.status)
    return render(request, "new_password.html", token=token)


@router.post("/haslo/nowe", dependencies=[Depends(verify_csrf)])
async def new_password(request: Request) -> Response:
    data = await _form(request)
    token = data.get("token", "")
    rt = request.app.state.runtime
    async with rt.db.transaction() as session:
        result, errors = await accounts.reset_password(
            session,
            request.app.state.ctx,
            token,
            data.get("password", ""),
            data.get("password_confirm", ""),
            client_address=client_address(request),
        )
    if result.status != "ok":
        return _reset_link_problem(request, result.status)
    if errors:
        return render(
            request, "new_password.html", 422, token=token, errors=error_map(request, errors)
        )
    request.session.pop("uid", None)
    t = translator(language(request))
    return message(
        request, "new_password_title", "password_changed", links=[("/logowanie", t("login_link"))]
    )
