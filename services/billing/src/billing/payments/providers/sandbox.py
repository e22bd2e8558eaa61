"""The built-in sandbox provider: a page with pay / fail buttons, settlement after a delay.

Its notifications are signed with HMAC-SHA256 and the billing secret, like a real provider's,
so that the notification path (check, then book) is the same as in production.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from billing.payments.providers.base import InvalidNotification, Notification, Registration


class SandboxProvider:
    name = "sandbox"

    def __init__(self, public_url: str, secret: str) -> None:
        self.public_url = public_url.rstrip("/")
        self.secret = secret.encode()

    async def register(self, r: Registration) -> str:
        return f"{self.public_url}/sandbox/{r.session_id}"

    def sign(self, payload: dict[str, object]) -> str:
        body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def notification(self, session_id: str, amount: int, status: str) -> bytes:
        """The body the sandbox sends when the payer clicks a button or the money settles."""
        payload: dict[str, object] = {"sessionId": session_id, "amount": amount, "status": status}
        return json.dumps({**payload, "sign": self.sign(payload)}).encode()

    def parse_notification(self, body: bytes) -> Notification:
        try:
            data = json.loads(body)
            payload = {k: data[k] for k in ("sessionId", "amount", "status")}
            sign = str(data["sign"])
        except (ValueError, KeyError, TypeError):
            raise InvalidNotification("malformed sandbox notification") from None
        if not hmac.compare_digest(sign, self.sign(payload)):
            raise InvalidNotification("bad sandbox signature")
        if payload["status"] not in ("in_progress", "settled", "failed"):
            raise InvalidNotification("unknown status")
        return Notification(
            str(payload["sessionId"]), int(payload["amount"]), "", str(payload["status"])
        )

    async def verify(self, n: Notification) -> bool:
        return True
