"""The public JSON API /api/v1: bearer tokens from identity, errors as JSON, its own OpenAPI."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

import grpc
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from gateway.features.api.schemas import ErrorResponse
from gateway.web.modules import ModuleRegistry
from portal_platform.auth import Principal
from portal_platform.errors import DomainError, NotFound, Unauthenticated
from portal_platform.logging import get_logger
from portal_platform.service import Runtime

log = get_logger(__name__)
DESCRIPTION = """API mieszkańca Portalu Komunalnego: to samo, co mieszkaniec robi w portalu —
należności, historia rozliczeń (kartoteka), dokumenty (pobieranie PDF, a dla firm także faktur
ustrukturyzowanych FA(3) w XML, KSeF), płatności online, odczyty wodomierzy, kontakt z urzędem.

Uwierzytelnienie: nagłówek `Authorization: Bearer <token>` z tokenem dostępu wydanym przez
serwer logowania gminy (OpenID Connect, przepływ authorization code + PKCE). Kwoty są w groszach
(liczby całkowite), ilości — w m³ jako tekst dziesiętny, daty — w formacie RRRR-MM-DD.
Błędy mają postać `{"error": {"status", "message", "code", "field"}}`; komunikaty są po polsku.
Obcej kartoteki lub dokumentu API nie ujawnia: odpowiada 404."""
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in {
        400: "Nieczytelna treść żądania (oczekiwano JSON w UTF-8)",
        401: "Brak lub nieważny token dostępu",
        403: "Brak uprawnień",
        404: "Nie znaleziono (albo należy do kogoś innego)",
        409: "Operacja niemożliwa w obecnym stanie",
        422: "Nieprawidłowe dane; `field` wskazuje pole",
        429: "Zbyt wiele żądań",
        503: "Usługa chwilowo niedostępna",
    }.items()
}
JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
bearer = HTTPBearer(auto_error=False, description="Token dostępu z serwera logowania gminy")


@dataclass(frozen=True)
class Caller:
    """The authenticated caller: the token's principal and the token for gRPC calls."""

    principal: Principal
    token: str

    def own(self, payer_id: str) -> str:
        """The payer id if the caller may see it; otherwise 404 (existence is not revealed)."""
        if self.principal.is_staff or payer_id in self.principal.payers:
            return payer_id
        raise NotFound("Nie znaleziono kartoteki.")


async def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("Brak tokenu dostępu (nagłówek Authorization: Bearer).")
    token = credentials.credentials
    if len(token) > 8192 or not JWT_SHAPE.match(token):
        raise Unauthenticated("Nieprawidłowy token dostępu.")
    try:
        principal = await request.app.state.verifier.verify(token)
    except DomainError:
        raise
    except Exception:  # a well-formed but nonsensical token must not become a 500
        raise Unauthenticated("Nieprawidłowy token dostępu.") from None
    return Caller(principal, token)


CallerDep = Annotated[Caller, Depends(authenticated)]


def error(status: int, message: str, code: str = "", field: str = "") -> JSONResponse:
    body = {"status": status, "message": message, "code": code or None, "field": field or None}
    headers = {"WWW-Authenticate": 'Bearer realm="portal"'} if status == 401 else None
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def install_errors(api: FastAPI) -> None:
    @api.exception_handler(DomainError)
    async def _domain(_r: Request, exc: DomainError) -> JSONResponse:
        status = exc.http_status if exc.http_status in ERRORS else 409
        return error(status, exc.message, exc.code, exc.field)

    @api.exception_handler(RequestValidationError)
    async def _invalid(_r: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(x) for x in first.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        message = "Nieprawidłowe dane" + (f" w polu {'.'.join(loc)}" if loc else "") + "."
        return error(422, message, "invalid_argument", ".".join(loc))

    @api.exception_handler(HTTPException)
    async def _http(_r: Request, exc: HTTPException) -> JSONResponse:
        texts = {
            400: "Nie udało się odczytać treści żądania (oczekiwano JSON w UTF-8).",
            404: "Nie znaleziono.",
            405: "Niedozwolona metoda.",
        }
        status = exc.status_code if exc.status_code in (*ERRORS, 405) else 400
        return error(status, texts.get(status, str(exc.detail)))

    @api.exception_handler(grpc.aio.AioRpcError)
    async def _rpc(_r: Request, exc: grpc.aio.AioRpcError) -> JSONResponse:
        if exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
            return error(429, exc.details() or "Zbyt wiele żądań.")
        log.warning("service unavailable for the API", code=str(exc.code()))
        return error(503, "Usługa chwilowo niedostępna. Spróbuj ponownie za chwilę.")


def create_api(rt: Runtime) -> FastAPI:
    """The sub-application mounted at /api/v1 (OpenAPI at /api/v1/openapi.json)."""
    from gateway.features.api import (
        routes_contact,
        routes_money,
        routes_statement,
        routes_water,
    )

    api = FastAPI(
        title="Portal Komunalny — API mieszkańca",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        servers=[{"url": "/api/v1"}],
        responses=ERRORS,
    )
    api.state.settings = rt.settings
    api.state.runtime = rt
    api.state.verifier = rt.verifier
    api.state.modules = ModuleRegistry(str(getattr(rt.settings, "modules", "")))
    install_errors(api)
    for module in (routes_money, routes_statement, routes_water, routes_contact):
        api.include_router(module.router)
    return api
