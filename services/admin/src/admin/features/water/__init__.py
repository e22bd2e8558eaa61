"""Back office "Woda": reading verification, premises and meters, tariffs, groups, campaigns."""

from admin.features.water.routes import router

__all__ = ["router"]
