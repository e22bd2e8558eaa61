"""Kontakt z urzędnikiem: the contact form (also for visitors), the resident's threads, and the
"Powiadomienia" page with the choice of optional e-mails."""

from fastapi import APIRouter

from gateway.features.contact import preferences, routes

router = APIRouter()
router.include_router(routes.router)
router.include_router(preferences.router)

__all__ = ["router"]
