"""The public JSON API /api/v1 (mounted sub-application) and its documentation page /api."""

from gateway.features.api.app import create_api
from gateway.features.api.docs import router

MOUNT = ("/api/v1", create_api)

__all__ = ["MOUNT", "router"]
