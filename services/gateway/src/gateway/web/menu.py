"""The main menu: fixed entries exported by features (MENU) and one entry per module.

A feature package may export ``MENU``: a list of ``MenuEntry``. An entry with ``module`` set is
the page of that module (e.g. the water feature's /woda): it is shown only when the module is
configured in PORTAL_MODULES, with the label and position the module gives in DescribeModule.
A configured module whose feature exports no entry still appears, linked to the generic
section page /modul/<key> — so a new module shows up in the menu without template edits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

from gateway.web.i18n import N_, _
from gateway.web.modules import Module


@dataclass(frozen=True)
class MenuEntry:
    """One link of the main menu; `label` is the Polish text (translated when shown)."""

    href: str
    label: str = ""
    order: int = 500
    public: bool = False  # shown to visitors who are not logged in
    module: str = ""  # key of the module whose page this is


@dataclass(frozen=True)
class MenuLink:
    """A menu link as rendered: translated label, current-page flag."""

    href: str
    label: str
    current: bool
    lang: str = ""  # set when the label is not in the page's language


# Entries of features that do not export MENU themselves (yet); keyed by feature name.
DEFAULTS: dict[str, list[MenuEntry]] = {
    "billing": [
        MenuEntry("/naleznosci", N_("Należności"), 5),
        MenuEntry("/dokumenty", N_("Dokumenty"), 100),
        MenuEntry("/platnosci", N_("Płatności"), 110),
    ],
    "contact": [MenuEntry("/kontakt", N_("Kontakt"), 120, public=True)],
    "account": [MenuEntry("/konto", N_("Profil"), 140)],
    "water": [MenuEntry("/woda", module="water")],
    "waste": [MenuEntry("/odpady", module="waste")],
}


def collect(features: Iterable[ModuleType]) -> list[MenuEntry]:
    """Every feature's MENU (or its default entries), in menu order."""
    entries: list[MenuEntry] = []
    for feature in features:
        name = feature.__name__.rsplit(".", 1)[-1]
        entries.extend(getattr(feature, "MENU", None) or DEFAULTS.get(name, []))
    return sorted(entries, key=lambda e: (e.order, e.href))


def _is_current(href: str, path: str) -> bool:
    if href == "/":
        return path == "/"
    return path == href or path.startswith(href.rstrip("/") + "/")


def build(
    entries: list[MenuEntry],
    modules: list[Module],
    *,
    logged_in: bool,
    path: str,
    lang: str,
) -> list[MenuLink]:
    """The links for this request: public ones for visitors; modules for logged-in users."""
    rows: list[tuple[int, str, MenuLink]] = []
    pages = {e.module: e for e in entries if e.module}
    for e in entries:
        if e.module or not (logged_in or e.public):
            continue
        rows.append((e.order, e.href, MenuLink(e.href, _(e.label), _is_current(e.href, path))))
    if logged_in:
        for m in modules:
            page = pages.get(m.key)
            href = page.href if page else f"/modul/{m.key}"
            label = m.label(lang)
            other = "pl" if m.in_polish(label, lang) else ""
            rows.append((m.order, href, MenuLink(href, label, _is_current(href, path), other)))
    return [link for _o, _h, link in sorted(rows, key=lambda r: (r[0], r[1]))]
