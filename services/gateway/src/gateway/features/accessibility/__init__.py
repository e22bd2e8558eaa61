"""Deklaracja dostępności: the accessibility statement required of Polish public bodies."""

from gateway.features.accessibility.routes import router

__all__ = ["router"]
