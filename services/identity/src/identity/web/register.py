"""Registration, activation (single-use link) and re-sending the activation link."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from identity.accounts import rules
from identity.accounts import service as accounts
from identity.accounts.schemas import FieldError
from identity.web.i18n import language, translator
from identity.web.render import client_address, error_map, message, render
from portal_platform.csrf import verify_csrf

router = APIRouter()
KINDS = {"osoba": "person", "firma": "company"}


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


@router.get("/rejestracja")
async def choose() -> Response:
    return RedirectResponse("/rejestracja/osoba", status_code=303)


@router.get("/rejestracja/{kind}")
async def register_form(request: Request, kind: str) -> Response:
    if kind not in KINDS:
        return RedirectResponse("/rejestracja/osoba", status_code=303)
    return render(request, "register.html", kind=KINDS[kind])


@router.post("/rejestracja/{kind}", dependencies=[Depends(verify_csrf)])
async def register(request: Request, kind: str) -> Response:
    if kind not in KINDS:
        return RedirectResponse("/rejestracja/osoba", status_code=303)
    data = await _form(request)
    lang = language(request)
    parse = rules.parse_person if KINDS[kind] == "person" else rules.parse_company
    registration, errors = parse(data, lang)
    if registration is None:
        return render(
            request,
            "register.html",
            422,
            kind=KINDS[kind],
            form=data,
            errors=error_map(request, errors),
        )
    rt = request.app.state.runtime
    async with rt.db.transaction() as session:
        await accounts.register(
            session, request.app.state.ctx, registration, client_address=client_address(request)
        )
    return RedirectResponse("/wyslano", status_code=303)


@router.get("/wyslano", include_in_schema=False)
async def sent(request: Request) -> Response:
    return message(
        request,
        "sent_title",
        "sent_text",
        links=[("/aktywacja/ponow", translator(language(request))("resend_title"))],
    )


def _link_problem(request: Request, status: str, *, resend: bool) -> Response:
    t = translator(language(request))
    links = (
        [("/aktywacja/ponow", t("resend_title"))]
        if resend
        else [("/haslo/reset", t("reset_title"))]
    )
    code = {"invalid": 404, "expired": 410, "used": 410}[status]
    return message(
        request,
        "activate_title" if resend else "new_password_title",
        f"link_{status}",
        status_code=code,
        links=links,
    )


@router.get("/aktywacja")
async def activation_page(request: Request, token: str = "") -> Response:
    rt = request.app.state.runtime
    async with rt.db.sessions() as session:
        check = await accounts.check_link(session, token, accounts.ACTIVATION)
    if check.status != "ok":
        return _link_problem(request, check.status, resend=True)
    return render(request, "activate.html", token=token)


@router.post("/aktywacja", dependencies=[Depends(verify_csrf)])
async def activate(request: Request) -> Response:
    token = (await _form(request)).get("token", "")
    rt = request.app.state.runtime
    async with rt.db.transaction() as session:
        result = await accounts.activate(
            session, request.app.state.ctx, token, client_address=client_address(request)
        )
    if result.status != "ok":
        return _link_problem(request, result.status, resend=True)
    t = translator(language(request))
    return message(request, "activate_title", "activated", links=[("/logowanie", t("login_link"))])


@router.get("/aktywacja/ponow")
async def resend_form(request: Request) -> Response:
    t = translator(language(request))
    return render(
        request,
        "email_form.html",
        title=t("resend_title"),
        submit=t("resend_submit"),
        action="/aktywacja/ponow",
    )


@router.post("/aktywacja/ponow", dependencies=[Depends(verify_csrf)])
async def resend(request: Request) -> Response:
    data = await _form(request)
    errors: list[FieldError] = []
    email = rules.normalise_email(rules.clean(data.get("email"), 254), errors)
    if errors:
        t = translator(language(request))
        return render(
            request,
            "email_form.html",
            422,
            title=t("resend_title"),
            submit=t("resend_submit"),
            action="/aktywacja/ponow",
            form=data,
            errors=error_map(request, errors),
        )
    rt = request.app.state.runtime
    async with rt.db.transaction() as session:
        await accounts.resend_activation(session, request.app.state.ctx, email)
    return message(request, "resend_title", "resend_done")
