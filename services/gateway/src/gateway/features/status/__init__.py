"""Home page with the health of every service of the installation."""

from gateway.features.status.routes import router

__all__ = ["router"]
