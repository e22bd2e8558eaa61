"""All routes of the admin Woda screens, and the section's stylesheet."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from admin.features.water import catalog, groups, readings, tariffs
from admin.features.water.common import ASSETS, Clerk, render

router = APIRouter()
router.include_router(readings.router)
router.include_router(catalog.router)
router.include_router(tariffs.router)
router.include_router(groups.router)


@router.get("/woda/zasoby/woda-admin.css", include_in_schema=False)
async def stylesheet() -> Response:
    return Response((ASSETS / "woda-admin.css").read_bytes(), media_type="text/css; charset=utf-8")


@router.get("/woda", response_class=HTMLResponse)
async def home(request: Request, clerk: Clerk) -> Response:
    """The Woda menu of the back office."""
    return render(request, "water/home.html", {})
