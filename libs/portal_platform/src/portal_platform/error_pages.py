"""Polish error pages (404, 403, 500, ...) with no traceback; JSON under /api/. Needs app.state.templates with "error.html"."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from portal_platform.errors import DomainError
from portal_platform.logging import get_logger

log = get_logger(__name__)

MESSAGES = {
    400: (
        "Nieprawidłowe żądanie",
        "Nie udało się przetworzyć żądania. Sprawdź dane i spróbuj ponownie.",
    ),
    401: ("Zaloguj się", "Ta strona wymaga zalogowania."),
    403: ("Brak dostępu", "Nie masz uprawnień do tej strony."),
    404: (
        "Nie znaleziono strony",
        "Strona, której szukasz, nie istnieje lub została przeniesiona.",
    ),
    405: ("Niedozwolona operacja", "Tej operacji nie można wykonać na tej stronie."),
    422: ("Nieprawidłowe dane", "Formularz zawiera błędy. Popraw je i wyślij ponownie."),
    429: ("Zbyt wiele prób", "Wysłano zbyt wiele żądań. Odczekaj chwilę i spróbuj ponownie."),
    500: (
        "Błąd serwisu",
        "Wystąpił nieoczekiwany błąd. Spróbuj ponownie za chwilę; jeśli błąd się powtarza, skontaktuj się z urzędem.",
    ),
    503: (
        "Usługa chwilowo niedostępna",
        "Część systemu jest chwilowo niedostępna. Spróbuj ponownie za chwilę.",
    ),
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, detail: str | None = None) -> Response:
    title, text = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    if _wants_json(request):
        return JSONResponse(
            {"error": {"status": status, "message": detail or text}}, status_code=status
        )
    response: Response = request.app.state.templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": title, "text": detail or text},
        status_code=status,
    )
    return response


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
        response = error_response(request, exc.status_code, detail)
        for k, v in (exc.headers or {}).items():
            response.headers[k] = v
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return error_response(request, exc.http_status, exc.message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", path=request.url.path)
        return error_response(request, 500)
