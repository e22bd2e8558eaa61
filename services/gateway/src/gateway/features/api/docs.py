"""The API's documentation page /api, rendered from the OpenAPI document (no external scripts)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

router = APIRouter()


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            out.append(
                {
                    "method": method.upper(),
                    "path": "/api/v1" + path,
                    "summary": (op.get("description") or op.get("summary") or "").strip(),
                    "tag": (op.get("tags") or [""])[0],
                }
            )
    return out


@router.get("/api", response_class=HTMLResponse)
@router.get("/api/v1/docs", response_class=HTMLResponse, include_in_schema=False)
async def api_docs(request: Request) -> Response:
    api = next(r.app for r in request.app.routes if getattr(r, "path", "") == "/api/v1")
    schema = api.openapi()
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "api/docs.html", {"ops": operations(schema), "info": schema["info"]}
    )
