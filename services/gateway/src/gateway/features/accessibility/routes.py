"""Route of the accessibility statement (/deklaracja-dostepnosci)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

router = APIRouter()


@router.get("/deklaracja-dostepnosci", response_class=HTMLResponse)
async def statement(request: Request) -> Response:
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "accessibility/statement.html", {"s": request.app.state.settings}
    )
