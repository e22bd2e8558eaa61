"""Every gateway template: no user-visible text outside {% trans %} blocks or _() calls.

Each template is tokenised with the Jinja lexer; text of trans blocks and expressions is
replaced by a placeholder, the rest is parsed as HTML, and any text node or visible attribute
(alt, title, aria-label, placeholder, ...) still holding words is reported. String literals in
expressions that read like sentences (a space, or Polish letters) must be inside _() too.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gateway.features import template_dirs
from gateway.web import WEB_DIR, make_templates
from gateway.web.i18n import catalogues

HOLE = "\ue000"
WORD = re.compile(r"[^\W\d_]{2,}")
VISIBLE_ATTRS = {"alt", "title", "aria-label", "placeholder", "aria-description", "label"}
SKIP_ELEMENTS = {"code", "script", "style", "pre"}
POLISH = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
# units and abbreviations that read the same in both languages
NEUTRAL = re.compile(r"\b(kB|MB|PDF|JPG|PNG|VAT|NIP|PESEL|REGON|zł)\b|m³")


def templates() -> list[tuple[str, Path]]:
    found = []
    for root in [WEB_DIR / "templates", *template_dirs()]:
        for path in sorted(root.rglob("*.html")):
            found.append((str(path.relative_to(root)), path))
    return found


def strip_jinja(source: str) -> tuple[str, list[tuple[int, str]]]:
    """The template's HTML with Jinja replaced by HOLE; and sentence-like string literals."""
    env = make_templates().env
    out: list[str] = []
    literals: list[tuple[int, str]] = []
    in_trans = False
    expr: list[tuple[int, str, str]] = []
    in_tag = False
    for lineno, kind, value in env.lex(source):
        if kind in ("block_begin", "variable_begin"):
            in_tag, expr = True, []
            continue
        if kind in ("block_end", "variable_end"):
            in_tag = False
            names = [v for _l, k, v in expr if k == "name"]
            if names[:1] == ["trans"]:
                in_trans = True
            elif names[:1] == ["endtrans"]:
                in_trans = False
            literals.extend(sentence_literals(expr))
            out.append(HOLE)
            continue
        if in_tag:
            if kind != "whitespace":
                expr.append((lineno, kind, value))
            continue
        if kind == "data" and not in_trans:
            out.append(value)
        elif kind == "data":
            out.append(HOLE)
    return "".join(out), literals


def sentence_literals(expr: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    bad = []
    for i, (lineno, kind, value) in enumerate(expr):
        if kind != "string":
            continue
        text = value.strip("'\"")
        if "=" in text or text.startswith("<") or not WORD.search(text):
            continue
        if not (" " in text.strip() or POLISH.search(text)):
            continue
        before = [v for _l, _k, v in expr[max(0, i - 2) : i]]
        if before in (["_", "("], ["gettext", "("], ["ngettext", "("]):
            continue
        bad.append((lineno, text))
    return bad


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_ELEMENTS:
            self.skipping += 1
        for name, value in attrs:
            visible = name in VISIBLE_ATTRS or (name == "value" and tag == "button")
            if visible and value and WORD.search(value.replace(HOLE, " ")):
                self.found.append(f'{name}="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        text = NEUTRAL.sub(" ", data.replace(HOLE, " ")).strip()
        if self.skipping or not WORD.search(text) or text.startswith(("/", "http")):
            return
        if '="' in text:  # attribute markup produced by a macro, not text
            return
        self.found.append(text)


def untranslated(path: Path) -> list[str]:
    html, literals = strip_jinja(path.read_text(encoding="utf-8"))
    parser = VisibleText()
    parser.feed(html)
    return parser.found + [f"line {n}: '{text}'" for n, text in literals]


@pytest.mark.parametrize(("name", "path"), templates(), ids=[n for n, _p in templates()])
def test_no_hard_coded_text(name: str, path: Path) -> None:
    found = untranslated(path)
    assert not found, f"{name}: text outside {{% trans %}} / _(): {found}"


def test_english_catalogue_translates_the_layout() -> None:
    en = catalogues.for_language("en")
    assert en.gettext("Przejdź do treści") == "Skip to content"
    assert en.gettext("Należności") == "Receivables"


def test_every_message_has_an_english_translation() -> None:
    """What pybabel would extract (templates, N_() and _() in Python) is translated in en."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    src = Path(__file__).resolve().parents[2] / "src" / "gateway"
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    found = {
        m[2] if isinstance(m[2], str) else m[2][0]
        for m in extract_from_dir(str(src), method_map, options, keywords=keywords)
    }
    with (src / "locale" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        english = {m.id: m.string for m in read_po(fh, locale="en") if m.id}
    missing = sorted(m for m in found if not english.get(m))
    assert not missing, f"add English translations to locale/en (see babel.cfg): {missing}"
