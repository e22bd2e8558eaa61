"""Login through identity when identity cannot be reached, and the language passed to it.

identity is replaced by a real HTTP server that publishes OIDC metadata whose token endpoint
is a closed port (nothing listens) or a socket that accepts and never answers.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from gateway.app import definition
from portal_platform.testing.backends import free_port


def metadata_server(token_endpoint: str) -> ThreadingHTTPServer:
    """An issuer that only publishes its metadata (the authorize page is never opened)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
            body = json.dumps(
                {
                    "issuer": issuer,
                    "authorization_endpoint": f"{issuer}/authorize",
                    "token_endpoint": token_endpoint,
                    "jwks_uri": f"{issuer}/jwks",
                    "end_session_endpoint": f"{issuer}/end-session",
                }
            ).encode()
            self.send_response(200 if self.path.startswith("/.well-known/") else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (a hung identity)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


async def gateway_with_token_endpoint(start_service, token_endpoint: str):
    server = metadata_server(token_endpoint)
    issuer = f"http://127.0.0.1:{server.server_address[1]}"
    rt = await start_service(definition, oidc_issuer=issuer)
    base = f"http://127.0.0.1:{rt.settings.http_port}"
    return server, httpx.AsyncClient(base_url=base, timeout=30)


async def start_login(client: httpx.AsyncClient, url: str = "/logowanie") -> dict[str, list[str]]:
    """Begin the login as a browser would; the query identity's /authorize would get."""
    resp = await client.get(url)
    assert resp.status_code in (302, 303, 307), resp.text
    return parse_qs(urlsplit(resp.headers["location"]).query)


async def test_callback_when_the_token_endpoint_is_a_closed_port(start_service):
    closed = free_port()  # nothing listens there: the connection is refused
    server, client = await gateway_with_token_endpoint(
        start_service, f"http://127.0.0.1:{closed}/token"
    )
    try:
        query = await start_login(client, "/logowanie?next=/naleznosci")
        page = await client.get(
            "/auth/callback", params={"code": "abc", "state": query["state"][0]}
        )
        assert page.status_code == 503
        assert "Logowanie chwilowo niedostępne" in page.text
        assert 'href="/logowanie?next=/naleznosci"' in page.text
        assert "Traceback" not in page.text

        client.cookies.set("lang", "en")
        query = await start_login(client)
        page = await client.get(
            "/auth/callback", params={"code": "abc", "state": query["state"][0]}
        )
        assert page.status_code == 503
        assert "Login temporarily unavailable" in page.text
        assert 'href="/logowanie"' in page.text
    finally:
        await client.aclose()
        server.shutdown()


async def test_callback_when_the_token_endpoint_does_not_answer(start_service, silent_port):
    server, client = await gateway_with_token_endpoint(
        start_service, f"http://127.0.0.1:{silent_port}/token"
    )
    try:
        query = await start_login(client)
        page = await client.get(
            "/auth/callback", params={"code": "abc", "state": query["state"][0]}
        )
        assert page.status_code == 503
        assert "Logowanie chwilowo niedostępne" in page.text
    finally:
        await client.aclose()
        server.shutdown()


async def test_login_page_when_identity_is_unreachable(start_service):
    rt = await start_service(definition, oidc_issuer=f"http://127.0.0.1:{free_port()}")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.settings.http_port}") as client:
        page = await client.get("/logowanie")
        assert page.status_code == 503
        assert "Logowanie chwilowo niedostępne" in page.text


async def test_login_passes_the_language_from_the_cookie_and_from_the_query(start_service):
    server, client = await gateway_with_token_endpoint(
        start_service, f"http://127.0.0.1:{free_port()}/token"
    )
    try:
        assert (await start_login(client))["ui_locales"] == ["pl"]
        client.cookies.set("lang", "en")
        assert (await start_login(client))["ui_locales"] == ["en"]
        client.cookies.set("lang", "pl")
        assert (await start_login(client, "/logowanie?lang=en"))["ui_locales"] == ["en"]
    finally:
        await client.aclose()
        server.shutdown()
