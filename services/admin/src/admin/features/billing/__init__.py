"""Rozliczenia (back office): payer ledgers, documents, statements, refunds, reminders, arrears."""

from admin.features.billing.routes import router

__all__ = ["router"]
