"""Typed domain errors, mapped once to gRPC status codes and HTTP responses."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request; `message` is Polish and safe to show."""

    code = "domain.error"
    grpc_status = "FAILED_PRECONDITION"
    http_status = 409

    def __init__(self, message: str, *, code: str | None = None, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class InvalidArgument(DomainError):
    code = "invalid_argument"
    grpc_status = "INVALID_ARGUMENT"
    http_status = 422


class NotFound(DomainError):
    code = "not_found"
    grpc_status = "NOT_FOUND"
    http_status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    grpc_status = "PERMISSION_DENIED"
    http_status = 403


class Unauthenticated(DomainError):
    code = "unauthenticated"
    grpc_status = "UNAUTHENTICATED"
    http_status = 401


class Conflict(DomainError):
    code = "conflict"
    grpc_status = "ALREADY_EXISTS"
    http_status = 409


class StartupError(Exception):
    """A service cannot start; the message is printed as one line and the process exits."""
