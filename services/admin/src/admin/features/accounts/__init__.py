"""Clerk screens for accounts: pending list, verification, payer links, suspension, audit log."""

from admin.features.accounts.routes import router

__all__ = ["router"]
