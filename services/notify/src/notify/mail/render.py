"""Mail templates (Jinja2, autoescaped): subject, plain text and HTML, in Polish or English."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound
from markupsafe import Markup

from notify.mail.schemas import LANGUAGES, Rendered

TEMPLATES_DIR = Path(__file__).parent / "templates"
WARSAW = ZoneInfo("Europe/Warsaw")
MONTHS_PL = [
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def money(grosze: int, lang: str = "pl") -> str:
    """1234567 → "12 345,67 zł" (pl) or "PLN 12,345.67" (en)."""
    sign = "-" if grosze < 0 else ""
    zl, gr = divmod(abs(int(grosze)), 100)
    if lang == "en":
        return f"{sign}PLN {zl:,}.{gr:02d}"
    return f"{sign}{zl:,}".replace(",", "\u00a0") + f",{gr:02d}\u00a0zł"


def long_date(value: date | datetime | None, lang: str = "pl") -> str:
    """30 czerwca 2027 / 30 June 2027; datetimes are shown in Warsaw time with hh:mm."""
    if value is None:
        return ""
    suffix = ""
    if isinstance(value, datetime):
        local = value.astimezone(WARSAW) if value.tzinfo else value
        suffix = f", {local:%H:%M}" if lang != "en" else f" at {local:%H:%M}"
        value = local.date()
    months = MONTHS_EN if lang == "en" else MONTHS_PL
    return f"{value.day} {months[value.month - 1]} {value.year}{suffix}"


class Renderer:
    """Renders `<lang>/<name>.jinja` with the gmina's data; falls back to Polish."""

    def __init__(self, globals_: dict[str, Any]) -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES_DIR)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(globals_)

    def render(self, name: str, language: str, context: dict[str, Any]) -> Rendered:
        lang = language if language in LANGUAGES else "pl"
        try:
            tmpl = self.env.get_template(f"{lang}/{name}.jinja")
        except TemplateNotFound:
            lang = "pl"
            tmpl = self.env.get_template(f"pl/{name}.jinja")
        values = {
            **context,
            "lang": lang,
            "money": lambda g: money(g, lang),
            "long_date": lambda d: long_date(d, lang),
        }
        ctx = tmpl.new_context(values)
        subject = _plain("".join(tmpl.blocks["subject"](ctx)))
        text = _plain("".join(tmpl.blocks["text"](ctx)))
        footer = self.env.get_template(f"{lang}/_footer.jinja").make_module(values)
        text += "\n\n-- \n" + _plain(str(footer.text()))  # type: ignore[attr-defined]
        html = tmpl.render(values)
        return Rendered(" ".join(subject.split())[:300], text, html)


def _plain(rendered: str) -> str:
    """Undo the HTML escaping of a block rendered for plain text; trim blank edges."""
    return str(Markup(rendered).unescape()).strip()
