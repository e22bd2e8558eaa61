"""Online payment providers: the sandbox (local runs, tests) and Przelewy24."""

from __future__ import annotations

from typing import Any

from billing.payments.providers.base import PaymentProvider
from billing.payments.providers.przelewy24 import Przelewy24Provider
from billing.payments.providers.sandbox import SandboxProvider


def public_url(settings: Any) -> str:
    return (settings.public_url or f"http://127.0.0.1:{settings.http_port}").rstrip("/")


def make_provider(settings: Any) -> PaymentProvider:
    """The provider named by BILLING_PAYMENT_PROVIDER."""
    if settings.payment_provider == "przelewy24":
        return Przelewy24Provider(
            settings.p24_base_url,
            settings.p24_merchant_id,
            settings.p24_pos_id,
            settings.p24_crc,
            settings.p24_api_key,
        )
    return SandboxProvider(public_url(settings), settings.secret_key)
