"""NRB (Polish bank account numbers): check digits and the payers' virtual accounts."""

from __future__ import annotations

from portal_platform.errors import InvalidArgument

COUNTRY_DIGITS = "2521"  # "PL" as digits for the mod-97 check


def check_digits(bban: str) -> str:
    """The two NRB check digits for a 24-digit BBAN (sort code + account number)."""
    return f"{98 - int(bban + COUNTRY_DIGITS + '00') % 97:02d}"


def is_valid_nrb(nrb: str) -> bool:
    """True when the 26 digits pass the IBAN mod-97 check."""
    return len(nrb) == 26 and nrb.isdigit() and int(nrb[2:] + COUNTRY_DIGITS + nrb[:2]) % 97 == 1


def normalise(value: str) -> str:
    """Digits of an NRB/IBAN typed with spaces or a PL prefix."""
    v = value.replace(" ", "").replace("-", "").upper()
    return v[2:] if v.startswith("PL") else v


def virtual_account(gmina_account: str, prefix: str, number: int) -> str:
    """The payer's NRB: the gmina bank's sort code, the prefix, the payer's number."""
    sort_code = normalise(gmina_account)[2:10]
    width = 16 - len(prefix)
    if number >= 10**width:
        raise InvalidArgument("Wyczerpana pula rachunków wirtualnych.", field="virtual_account")
    bban = sort_code + prefix + f"{number:0{width}d}"
    return check_digits(bban) + bban


def group(nrb: str) -> str:
    """26 digits as printed: `36 8191 1055 2001 0000 0042 0003`."""
    return nrb[:2] + " " + " ".join(nrb[i : i + 4] for i in range(2, 26, 4))
