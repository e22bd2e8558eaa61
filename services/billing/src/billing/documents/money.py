"""Money as printed: `1 234,56 zł`, amounts in words (num2words, Polish)."""

from __future__ import annotations

from decimal import Decimal


def pln(grosze: int, *, unit: bool = True) -> str:
    """`123456` → `1 234,56 zł` (non-breaking space between thousands)."""
    sign = "-" if grosze < 0 else ""
    zl, gr = divmod(abs(grosze), 100)
    text = f"{sign}{zl:,}".replace(",", "\u00a0") + f",{gr:02d}"
    return f"{text}\u00a0zł" if unit else text


def plain(grosze: int) -> str:
    """`123456` → `1234,56` (as typed in a slip's amount box)."""
    zl, gr = divmod(abs(grosze), 100)
    return f"{'-' if grosze < 0 else ''}{zl},{gr:02d}"


def in_words(grosze: int) -> str:
    """`12345` → `sto dwadzieścia trzy złote, czterdzieści pięć groszy`."""
    from num2words import num2words  # loaded on first use: keeps the idle service small

    return str(num2words(Decimal(grosze) / 100, lang="pl", to="currency", currency="PLN"))
