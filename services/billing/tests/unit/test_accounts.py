"""Virtual accounts: valid NRB check digits (checked by schwifty, which checks the sort code too)."""

from __future__ import annotations

from schwifty import IBAN

from billing.payers.accounts import check_digits, group, is_valid_nrb, virtual_account

GMINA = "36819110552001000000420003"  # BS Cyców, from the seed


def test_gmina_account_from_the_seed_is_valid():
    assert is_valid_nrb(GMINA)
    assert IBAN("PL" + GMINA).bank_code == "81911055"
    assert check_digits(GMINA[2:]) == "36"


def test_virtual_accounts_are_valid_nrb_with_the_gmina_bank_sort_code():
    seen = set()
    for number in (1, 2, 3, 42, 99_999, 12_345_678_901):
        nrb = virtual_account(GMINA, "20019", number)
        iban = IBAN("PL" + nrb)  # raises on bad check digits or sort code
        assert iban.validate()
        assert nrb[2:10] == GMINA[2:10]
        assert nrb[10:15] == "20019"
        assert is_valid_nrb(nrb)
        seen.add(nrb)
    assert len(seen) == 6


def test_tampered_digit_is_detected():
    nrb = virtual_account(GMINA, "20019", 7)
    bad = nrb[:-1] + str((int(nrb[-1]) + 1) % 10)
    assert not is_valid_nrb(bad)


def test_grouping_for_print():
    assert group(GMINA) == "36 8191 1055 2001 0000 0042 0003"
