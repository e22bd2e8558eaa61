"""Languages of the web UIs: Babel message catalogues (.po), per-request language, Jinja2 i18n."""

from __future__ import annotations

import io
from contextvars import ContextVar
from pathlib import Path

import jinja2
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LANGUAGES = ("pl", "en")
DEFAULT_LANGUAGE = "pl"
COOKIE = "lang"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


class Catalogues:
    """Translations per language, compiled in memory from `<dir>/<lang>/LC_MESSAGES/messages.po`."""

    def __init__(self, *locale_dirs: Path) -> None:
        self.translations: dict[str, NullTranslations] = {}
        for lang in LANGUAGES:
            merged: NullTranslations | None = None
            for folder in locale_dirs:
                po = folder / lang / "LC_MESSAGES" / "messages.po"
                if not po.exists():
                    continue
                with po.open("rb") as fh:
                    catalog = read_po(fh, locale=lang)
                buf = io.BytesIO()
                write_mo(buf, catalog)
                buf.seek(0)
                loaded = Translations(buf)
                if merged is None:
                    merged = loaded
                else:
                    merged.add_fallback(loaded)
            self.translations[lang] = merged or NullTranslations()

    def for_language(self, lang: str) -> NullTranslations:
        return self.translations.get(lang) or self.translations[DEFAULT_LANGUAGE]

    def gettext(self, message: str) -> str:
        return self.for_language(current_language.get()).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.for_language(current_language.get()).ngettext(singular, plural, n)

    def install(self, env: jinja2.Environment) -> None:
        """Enable `{% trans %}` and `_()` in templates, resolved in the request's language."""
        env.add_extension("jinja2.ext.i18n")
        env.install_gettext_callables(  # type: ignore[attr-defined]
            lambda s, **kw: self.gettext(s) % kw if kw else self.gettext(s),
            lambda s, p, n, **kw: self.ngettext(s, p, n) % {"num": n, **kw},
            newstyle=False,
        )
        env.globals["current_language"] = current_language.get
        env.globals["languages"] = LANGUAGES


def pick_language(query: str, cookie_header: str) -> tuple[str, bool]:
    """Language from ?lang=, then the cookie, else Polish; True when ?lang= chose it.

    The browser's Accept-Language is not used: the portal is Polish first, English on request.
    """
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == "lang" and value in LANGUAGES:
            return value, True
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == COOKIE and value in LANGUAGES:
            return value, False
    return DEFAULT_LANGUAGE, False


class LanguageMiddleware:
    """Sets the request's language; `?lang=en` also stores it in a cookie for later visits."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        lang, chosen = pick_language(
            scope.get("query_string", b"").decode("latin-1"),
            headers.get("cookie", ""),
        )
        token = current_language.set(lang)

        async def send_with_cookie(message: Message) -> None:
            if chosen and message["type"] == "http.response.start":
                cookie = f"{COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            current_language.reset(token)
