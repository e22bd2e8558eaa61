"""The "Woda" section of the resident UI: premises, readings with preview, fees, charts."""

from gateway.features.water.routes import router

__all__ = ["router"]
