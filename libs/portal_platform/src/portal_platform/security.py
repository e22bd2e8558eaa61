"""Security headers for the web services: CSP without inline scripts, HSTS outside local mode."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(extra_form_targets: Iterable[str] = ()) -> str:
    """A strict CSP: only our own scripts/styles, no framing, forms only to us (and the IdP)."""
    targets = " ".join(["'self'", *[t for t in extra_form_targets if t]])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        f"form-action {targets}; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp, *, hsts: bool, form_targets: Iterable[str] = ()) -> None:
        self.app = app
        headers = {
            b"content-security-policy": content_security_policy(form_targets).encode(),
            b"x-content-type-options": b"nosniff",
            b"x-frame-options": b"DENY",
            b"referrer-policy": b"same-origin",
            b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
            b"cross-origin-opener-policy": b"same-origin",
        }
        if hsts:
            headers[b"strict-transport-security"] = b"max-age=31536000; includeSubDomains"
        self.headers = list(headers.items())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (k, v) for k, v in self.headers if k not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
