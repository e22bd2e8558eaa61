"""Należności, Dokumenty, Płatności: what the resident owes, their documents, paying;
Historia rozliczeń: the account statement (kartoteka) of a period."""

from gateway.features.billing.history import router as history
from gateway.features.billing.routes import router

router.include_router(history)

__all__ = ["router"]
