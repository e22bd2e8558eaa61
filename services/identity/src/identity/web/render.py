"""Rendering helpers shared by identity's pages: language, labels, errors, safe redirects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from identity.accounts.schemas import FieldError
from identity.web.i18n import FIELDS, field_error, language, translator
from portal_platform.csrf import csrf_token

WEB_DIR = Path(__file__).parent
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
templates.env.globals["csrf_token"] = csrf_token


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    lang = language(request)
    settings = request.app.state.settings
    base = {
        "lang": lang,
        "t": translator(lang),
        "labels": FIELDS[lang],
        "errors": {},
        "form": {},
        "gateway_url": settings.gateway_url,
        "gmina_name": "Gmina Ludwin",
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def error_map(request: Request, errors: list[FieldError]) -> dict[str, str]:
    """Field → message, first error per field, in form order."""
    lang = language(request)
    result: dict[str, str] = {}
    for e in errors:
        result.setdefault(e.field, field_error(lang, e.field, e.code))
    return result


def message(
    request: Request,
    title_key: str,
    text_key: str,
    *,
    status_code: int = 200,
    links: list[tuple[str, str]] | None = None,
    **values: Any,
) -> Response:
    t = translator(language(request))
    return render(
        request,
        "message.html",
        status_code,
        title=t(title_key),
        text=t(text_key, **values),
        links=links or [],
    )


def safe_next(value: str | None) -> str:
    """Only local paths, so the login page is no open redirect."""
    value = value or ""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""
