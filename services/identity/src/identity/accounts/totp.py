"""TOTP second factor for clerks and admins (pyotp), with the enrolment QR code (segno)."""

from __future__ import annotations

import time

import pyotp
import segno

ISSUER = "Portal Komunalny"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The QR code as an inline SVG data URI (no external request)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def matching_step(secret: str, code: str, *, at: float | None = None, last_step: int = 0) -> int:
    """The time step the code belongs to (±1 step), or 0; a step at or before last_step is refused."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6 or not secret:
        return 0
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    current = int(now // totp.interval)
    for step in (current - 1, current, current + 1):
        if step > last_step and totp.generate_otp(step) == code:
            return step
    return 0
