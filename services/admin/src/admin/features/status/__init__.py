"""Back-office home page with the health of every service."""

from admin.features.status.routes import router

__all__ = ["router"]
