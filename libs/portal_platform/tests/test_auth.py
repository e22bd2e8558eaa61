"""Access-token verification: good, tampered, expired, wrong audience/issuer, key rotation."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal_platform.auth import Principal, TokenVerifier
from portal_platform.errors import PermissionDenied, Unauthenticated
from portal_platform.testing.keys import TestIssuer


def verifier_for(issuer: TestIssuer, **kw) -> TokenVerifier:
    return TokenVerifier(issuer=issuer.issuer, audience=issuer.audience, jwks=issuer.jwks, **kw)


async def test_valid_token_gives_principal():
    iss = TestIssuer()
    p = await verifier_for(iss).verify(iss.token("u1", roles=["resident"], payers=["P-1", "P-2"]))
    assert p.subject == "u1"
    assert p.roles == {"resident"}
    assert p.payers == {"P-1", "P-2"}


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"), "Nieprawidłowy"),
        (lambda t: t.split(".")[0] + ".e30." + t.split(".")[2], "Nieprawidłowy"),
        (lambda t: "not-a-token", "Nieprawidłowy"),
        (lambda t: "MQ.x.y", "Nieprawidłowy"),
    ],
)
async def test_tampered_token_refused(mutate, expected):
    iss = TestIssuer()
    with pytest.raises(Unauthenticated, match=expected):
        await verifier_for(iss).verify(mutate(iss.token()))


async def test_expired_token_refused():
    iss = TestIssuer()
    with pytest.raises(Unauthenticated):
        await verifier_for(iss).verify(iss.token(ttl=-120))


async def test_token_for_another_audience_refused():
    iss = TestIssuer()
    other = TestIssuer(issuer=iss.issuer, audience="some-other-api")
    other.key = iss.key
    with pytest.raises(Unauthenticated):
        await verifier_for(iss).verify(other.token())


async def test_token_from_another_issuer_refused():
    iss = TestIssuer()
    foreign = TestIssuer(issuer="http://evil.example")
    foreign.key = iss.key
    with pytest.raises(Unauthenticated):
        await verifier_for(iss).verify(foreign.token())


async def test_token_signed_by_unknown_key_refused():
    iss = TestIssuer()
    with pytest.raises(Unauthenticated, match="nieznanym kluczem"):
        await verifier_for(iss).verify(TestIssuer(issuer=iss.issuer).token())


async def test_unknown_kid_triggers_one_jwks_refresh():
    """A rotated key is fetched from the JWKS URL once; old and new keys both verify."""
    old, new = TestIssuer(), TestIssuer()
    new.issuer = old.issuer
    served = {"keys": old.jwks["keys"] + new.jwks["keys"]}
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = json.dumps(served).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
        v = TokenVerifier(issuer=old.issuer, audience=old.audience, jwks=old.jwks, jwks_url=url)
        assert (await v.verify(old.token("a"))).subject == "a"
        assert hits == []
        assert (await v.verify(new.token("b"))).subject == "b"
        assert len(hits) == 1
        assert (await v.verify(new.token("c"))).subject == "c"
        assert len(hits) == 1
    finally:
        server.shutdown()


def test_principal_payer_rules():
    resident = Principal("u", frozenset({"resident"}), frozenset({"P-1"}))
    resident.require_payer("P-1")
    with pytest.raises(PermissionDenied):
        resident.require_payer("P-2")
    Principal("c", frozenset({"clerk"})).require_payer("P-2")
    with pytest.raises(PermissionDenied):
        resident.require_role("clerk")
