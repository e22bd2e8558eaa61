"""A local stand-in for the KSeF API 2.0 (127.0.0.1 only): token auth, online session, statuses.

It does the cryptography KSeF does: decrypts the token and the session key with its RSA key,
decrypts each invoice (AES-CBC), checks its SHA-256 and parses it, so a test sees exactly
what reached "KSeF". Invoices whose number is in `refuse` get status 450 (semantic error).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7
from cryptography.x509.oid import NameOID
from lxml import etree

NS = "{http://crd.gov.pl/wzor/2025/06/25/13775/}"
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


@dataclass
class FakeKsef:
    token: str
    nip: str
    refuse: set[str] = field(default_factory=set)
    received: dict[str, bytes] = field(default_factory=dict)  # invoice number → XML
    ksef_numbers: dict[str, str] = field(default_factory=dict)  # invoice number → KSeF no.
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake ksef")])
        now = datetime.now(UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(1)
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .sign(self.key, hashes.SHA256())
        )
        self.challenge_ms = 0
        self.sessions: dict[str, tuple[bytes, bytes]] = {}
        self.invoices: dict[str, tuple[str, str, int]] = {}  # ref → (number, hash, polls)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeKsef:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> Any:
                n = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(n) or b"{}")

            def _bearer(self) -> str:
                return (self.headers.get("Authorization") or "").removeprefix("Bearer ")

            def do_GET(self) -> None:
                fake.requests.append(f"GET {self.path}")
                fake.get(self)

            def do_POST(self) -> None:
                fake.requests.append(f"POST {self.path}")
                fake.post(self)

        return Handler

    # ---- the API ----

    def get(self, h: Any) -> None:
        path = h.path
        if path == "/v2/security/public-key-certificates":
            der = self.cert.public_bytes(serialization.Encoding.DER)
            now = datetime.now(UTC)
            return h._send(
                200,
                [
                    {
                        "certificate": base64.b64encode(der).decode(),
                        "certificateId": "cert-1",
                        "publicKeyId": "key-1",
                        "usage": ["KsefTokenEncryption", "SymmetricKeyEncryption"],
                        "validFrom": (now - timedelta(days=1)).isoformat(),
                        "validTo": (now + timedelta(days=30)).isoformat(),
                    }
                ],
            )
        if path.startswith("/v2/auth/AU-"):
            if h._bearer() != "auth-token":
                return h._send(401, {"title": "Unauthorized", "status": 401})
            return h._send(
                200,
                {
                    "authenticationMethod": "Token",
                    "authenticationMethodInfo": {
                        "category": "Token",
                        "code": "token",
                        "displayName": "Token KSeF",
                    },
                    "startDate": datetime.now(UTC).isoformat(),
                    "status": {"code": 200, "description": "Uwierzytelnianie zakończone sukcesem"},
                },
            )
        if path.startswith("/v2/sessions/SO-") and "/invoices/" in path:
            if h._bearer() != "access-token":
                return h._send(401, {"title": "Unauthorized", "status": 401})
            ref = path.rsplit("/", 1)[1]
            number, digest, polls = self.invoices[ref]
            self.invoices[ref] = (number, digest, polls + 1)
            body: dict[str, Any] = {
                "ordinalNumber": int(ref.rsplit("-", 1)[1]),
                "referenceNumber": ref,
                "invoiceHash": digest,
                "invoicingDate": datetime.now(UTC).isoformat(),
                "invoiceNumber": number,
            }
            if polls == 0:
                body["status"] = {"code": 150, "description": "Trwa przetwarzanie"}
            elif number in self.refuse:
                body["status"] = {
                    "code": 450,
                    "description": "Błąd weryfikacji semantyki dokumentu faktury",
                    "details": ["Nieprawidłowy NIP nabywcy"],
                }
            else:
                ksef = f"{self.nip}-20260101-{len(self.ksef_numbers) + 1:012d}-AB"
                self.ksef_numbers[number] = ksef
                body["ksefNumber"] = ksef
                body["status"] = {"code": 200, "description": "Sukces"}
            return h._send(200, body)
        h._send(404, {"title": "Not found", "status": 404})

    def post(self, h: Any) -> None:
        path = h.path
        body = h._body()
        now = datetime.now(UTC)
        if path == "/v2/auth/challenge":
            self.challenge_ms = int(now.timestamp() * 1000)
            return h._send(
                200,
                {
                    "challenge": "20260101-CR-0000000001-0000000001-01",
                    "clientIp": "127.0.0.1",
                    "timestamp": now.isoformat(),
                    "timestampMs": self.challenge_ms,
                },
            )
        if path == "/v2/auth/ksef-token":
            plain = self.key.decrypt(base64.b64decode(body["encryptedToken"]), OAEP).decode()
            ctx = body["contextIdentifier"]
            if plain != f"{self.token}|{self.challenge_ms}" or ctx != {
                "type": "Nip",
                "value": self.nip,
            }:
                return h._send(
                    401, {"title": "Nieprawidłowy token", "status": 401, "detail": plain[:5]}
                )
            return h._send(
                202,
                {
                    "referenceNumber": "AU-1",
                    "authenticationToken": {
                        "token": "auth-token",
                        "validUntil": (now + timedelta(hours=1)).isoformat(),
                    },
                },
            )
        if path == "/v2/auth/token/redeem":
            if h._bearer() != "auth-token":
                return h._send(401, {"title": "Unauthorized", "status": 401})
            until = (now + timedelta(hours=1)).isoformat()
            return h._send(
                200,
                {
                    "accessToken": {"token": "access-token", "validUntil": until},
                    "refreshToken": {"token": "refresh-token", "validUntil": until},
                },
            )
        if h._bearer() != "access-token":
            return h._send(401, {"title": "Unauthorized", "status": 401})
        if path == "/v2/sessions/online":
            assert body["formCode"] == {
                "systemCode": "FA (3)",
                "schemaVersion": "1-0E",
                "value": "FA",
            }
            enc = body["encryption"]
            key = self.key.decrypt(base64.b64decode(enc["encryptedSymmetricKey"]), OAEP)
            ref = f"SO-{len(self.sessions) + 1}"
            self.sessions[ref] = (key, base64.b64decode(enc["initializationVector"]))
            return h._send(
                201, {"referenceNumber": ref, "validUntil": (now + timedelta(hours=1)).isoformat()}
            )
        if path.startswith("/v2/sessions/online/") and path.endswith("/close"):
            return h._send(204)
        if path.startswith("/v2/sessions/online/") and path.endswith("/invoices"):
            key, iv = self.sessions[path.split("/")[4]]
            data = base64.b64decode(body["encryptedInvoiceContent"])
            dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
            unpad = PKCS7(128).unpadder()
            xml = unpad.update(dec.update(data) + dec.finalize()) + unpad.finalize()
            digest = base64.b64encode(hashlib.sha256(xml).digest()).decode()
            assert digest == body["invoiceHash"] and len(xml) == body["invoiceSize"]
            number = etree.fromstring(xml).findtext(f"{NS}Fa/{NS}P_2")
            self.received[number] = xml
            ref = f"{path.split('/')[4]}-INV-{len(self.invoices) + 1}"
            self.invoices[ref] = (number, digest, 0)
            return h._send(202, {"referenceNumber": ref})
        h._send(404, {"title": "Not found", "status": 404})
