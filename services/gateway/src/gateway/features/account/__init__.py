"""Login through identity (OIDC), logout, the resident's profile and data export."""

from gateway.features.account.routes import router

__all__ = ["router"]
