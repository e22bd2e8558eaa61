"""Należności, Dokumenty, Płatności: what the resident owes, their documents, paying."""

from gateway.features.billing.routes import router

__all__ = ["router"]
