"""Back office "Odpady": declarations, rates and caps, schedule, the annual assessment."""

from admin.features.waste.routes import router

__all__ = ["router"]
