"""Pomoc: the user manual (Markdown in both languages) with screenshots of the real portal."""

from gateway.features.help.routes import router
from gateway.web.i18n import N_
from gateway.web.menu import MenuEntry

MENU = [MenuEntry("/pomoc", N_("Pomoc"), 130, public=True)]

__all__ = ["MENU", "router"]
