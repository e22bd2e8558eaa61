"""Pulpit: the resident's dashboard at /, a welcoming public home page, generic module pages."""

from gateway.features.dashboard.routes import router
from gateway.web.i18n import N_
from gateway.web.menu import MenuEntry

MENU = [MenuEntry("/", N_("Pulpit"), 0)]

__all__ = ["MENU", "router"]
