"""Back-office login through identity (OIDC, TOTP enforced there) and logout."""

from admin.features.account.routes import router

__all__ = ["router"]
