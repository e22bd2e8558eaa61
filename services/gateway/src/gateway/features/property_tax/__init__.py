"""Podatki: the resident's taxable objects, IN-1/DN-1 filing, decisions and installments."""

from gateway.features.property_tax.routes import router
from gateway.web.menu import MenuEntry

# the module's page in the main menu, labelled "Podatki" by the module's DescribeModule
MENU = [MenuEntry("/podatki", module="property_tax")]

__all__ = ["MENU", "router"]
