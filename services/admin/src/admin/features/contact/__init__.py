"""Kontakt: clerks read residents' messages, reply and close cases; the log of sent e-mails."""

from admin.features.contact.routes import router

__all__ = ["router"]
