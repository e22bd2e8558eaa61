"""All routes of the admin Odpady screens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from admin.features.waste import declarations, setup
from admin.features.waste.common import Clerk, render, waste
from portal.waste.v1 import waste_pb2

router = APIRouter()
router.include_router(declarations.router)
router.include_router(setup.router)


@router.get("/odpady", response_class=HTMLResponse)
async def home(request: Request, clerk: Clerk) -> Response:
    """The Odpady menu of the back office, with the number of drafts to confirm."""
    drafts = await waste(
        request, clerk, "SearchDeclarations",
        waste_pb2.SearchDeclarationsRequest(status="draft", limit=500),
    )  # fmt: skip
    return render(request, "waste/home.html", {"drafts": len(drafts.versions)})
