"""The ZBP payment QR code: 9 fields joined by `|` (domain.md, "Payments")."""

from __future__ import annotations

import io
from functools import lru_cache

MAX_QR_AMOUNT = 999_999  # above 9 999.99 zł the payer types the amount in


def _clean(text: str, limit: int) -> str:
    return " ".join(text.replace("|", " ").split())[:limit]


def zbp_payload(*, nip: str, account: str, amount_grosze: int, recipient: str, title: str) -> str:
    """`NIP|PL|NRB|amount(6)|recipient(≤20)|title(≤32)|||`; NIP empty for a natural person."""
    amount = f"{amount_grosze:06d}" if 0 <= amount_grosze <= MAX_QR_AMOUNT else "000000"
    fields = [nip, "PL", account, amount, _clean(recipient, 20), _clean(title, 32), "", "", ""]
    payload = "|".join(fields)
    assert len(payload) <= 160
    return payload


@lru_cache(maxsize=256)
def png(payload: str, *, scale: int = 4) -> bytes:
    """The QR code as PNG (error correction M, quiet zone of 4 modules)."""
    import segno  # loaded on first use: keeps the idle service small

    out = io.BytesIO()
    segno.make(payload, error="m", micro=False, boost_error=False).save(
        out, kind="png", scale=scale, border=4
    )
    return out.getvalue()
