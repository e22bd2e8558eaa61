"""Routes of the status feature."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from portal_platform.config import parse_address_map
from portal_platform.health import ServiceStatus, collect

router = APIRouter()


async def statuses(request: Request) -> list[ServiceStatus]:
    settings = request.app.state.settings
    found = await collect(
        parse_address_map(settings.grpc_services), parse_address_map(settings.http_services)
    )
    found.append(ServiceStatus("admin", "HTTP", str(request.base_url), "SERVING"))
    return sorted(found, key=lambda s: (s.name, s.kind))


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    found = await statuses(request)
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "status/home.html", {"statuses": found, "all_ok": all(s.ok for s in found)}
    )
    return response


@router.get("/status.json")
async def status_json(request: Request) -> JSONResponse:
    found = await statuses(request)
    ok = all(s.ok for s in found)
    return JSONResponse(
        {"all_ok": ok, "services": [s.__dict__ for s in found]}, status_code=200 if ok else 503
    )
