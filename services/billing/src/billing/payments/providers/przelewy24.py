"""Przelewy24 (REST API v1): register → redirect → notification (urlStatus) → verify.

Signatures are SHA-384 over the JSON of the documented fields plus the CRC key; the return URL
never confirms a payment, only a notification whose signature matches and a successful verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from billing.payments.providers.base import InvalidNotification, Notification, Registration

NOTIFICATION_FIELDS = (
    "merchantId",
    "posId",
    "sessionId",
    "amount",
    "originAmount",
    "currency",
    "orderId",
    "methodId",
    "statement",
)


def p24_sign(fields: dict[str, Any], crc: str) -> str:
    """SHA-384 of the fields and crc as compact JSON (unescaped slashes and unicode)."""
    body = json.dumps({**fields, "crc": crc}, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha384(body.encode()).hexdigest()


class Przelewy24Provider:
    name = "przelewy24"

    def __init__(
        self,
        base_url: str,
        merchant_id: int,
        pos_id: int,
        crc: str,
        api_key: str,
        *,
        timeout: float = 15.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.merchant_id = merchant_id
        self.pos_id = pos_id or merchant_id
        self.crc = crc
        self.auth = (str(self.pos_id), api_key)
        self.timeout = timeout

    async def register(self, r: Registration) -> str:
        body = {
            "merchantId": self.merchant_id,
            "posId": self.pos_id,
            "sessionId": r.session_id,
            "amount": r.amount,
            "currency": "PLN",
            "description": r.description[:1024],
            "email": r.email or "brak@example.invalid",
            "country": "PL",
            "language": "pl",
            "urlReturn": r.return_url,
            "urlStatus": r.status_url,
            "sign": p24_sign(
                {
                    "sessionId": r.session_id,
                    "merchantId": self.merchant_id,
                    "amount": r.amount,
                    "currency": "PLN",
                },
                self.crc,
            ),
        }
        async with httpx.AsyncClient(timeout=self.timeout, auth=self.auth) as client:
            resp = await client.post(f"{self.base_url}/api/v1/transaction/register", json=body)
        resp.raise_for_status()
        token = resp.json()["data"]["token"]
        return f"{self.base_url}/trnRequest/{token}"

    def parse_notification(self, body: bytes) -> Notification:
        try:
            data = json.loads(body)
            fields = {k: data[k] for k in NOTIFICATION_FIELDS}
            sign = str(data["sign"])
        except (ValueError, KeyError, TypeError):
            raise InvalidNotification("malformed Przelewy24 notification") from None
        if not hmac.compare_digest(sign, p24_sign(fields, self.crc)):
            raise InvalidNotification("bad Przelewy24 signature")
        if fields["merchantId"] != self.merchant_id or fields["currency"] != "PLN":
            raise InvalidNotification("notification for another merchant or currency")
        return Notification(
            str(fields["sessionId"]), int(fields["amount"]), str(fields["orderId"]), "settled"
        )

    async def verify(self, n: Notification) -> bool:
        body = {
            "merchantId": self.merchant_id,
            "posId": self.pos_id,
            "sessionId": n.session_id,
            "amount": n.amount,
            "currency": "PLN",
            "orderId": int(n.order_id),
            "sign": p24_sign(
                {
                    "sessionId": n.session_id,
                    "orderId": int(n.order_id),
                    "amount": n.amount,
                    "currency": "PLN",
                },
                self.crc,
            ),
        }
        async with httpx.AsyncClient(timeout=self.timeout, auth=self.auth) as client:
            resp = await client.put(f"{self.base_url}/api/v1/transaction/verify", json=body)
        if resp.status_code != 200:
            return False
        return bool(resp.json().get("data", {}).get("status") == "success")
