"""Layout, templates, languages, menu and static files shared by the gateway's features."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from gateway.features import template_dirs
from gateway.web import menu
from gateway.web.i18n import catalogues, language
from gateway.web.service_text import service_markup, service_text

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
LANGUAGE_NAMES = {"pl": "Polski", "en": "English"}


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    templates.env.loader = ChoiceLoader(
        [
            FileSystemLoader(str(WEB_DIR / "templates")),
            *(FileSystemLoader(str(d)) for d in template_dirs()),
        ]
    )
    templates.env.policies["ext.i18n.trimmed"] = True
    catalogues.install(templates.env)
    templates.env.globals.update(
        main_menu=main_menu,
        language_url=language_url,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        lang=language,
        service_text=service_text,
    )
    templates.env.filters["service"] = service_markup
    return templates


def language_url(request: Request, lang: str) -> str:
    """This page in another language (the choice is remembered in a cookie)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*query, ('lang', lang)])}"


def main_menu(request: Request) -> list[menu.MenuLink]:
    from gateway.auth import current_user

    state: Any = request.app.state
    return menu.build(
        state.menu_entries,
        state.modules.modules,
        logged_in=current_user(request) is not None,
        path=request.url.path,
        lang=language(),
    )


async def ensure_modules(request: Request) -> None:
    """App-wide dependency: module descriptions for the menu, refreshed when stale; a form
    sent by a resident clears the cached module summaries of their payers."""
    from gateway.auth import current_user

    registry = request.app.state.modules
    user = current_user(request)
    if user is not None and request.method == "POST":
        registry.forget(user.payers)
    if user is not None and registry.stale():
        await registry.ensure(user.access_token)
