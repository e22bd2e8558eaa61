"""Health of every service of the installation: the /stan page and /status.json."""

from gateway.features.status.routes import router

__all__ = ["router"]
