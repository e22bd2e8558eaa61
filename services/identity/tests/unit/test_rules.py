"""Registration rules: identifiers, e-mail, password policy."""

from __future__ import annotations

from datetime import date

from identity_test_helpers import COMPANY, PERSON
from stdnum.pl import pesel

from identity.accounts import rules
from identity.accounts.schemas import FieldError


def codes(errors: list[FieldError]) -> dict[str, str]:
    return {e.field: e.code for e in errors}


def test_valid_person_and_company_pass():
    person, errors = rules.parse_person(PERSON)
    assert errors == [] and person is not None and person.email == "anna.nowak@example.pl"
    company, errors = rules.parse_company(COMPANY)
    assert errors == [] and company is not None and company.regon == "012100784"


def test_pesel_checksum_format_and_future_birth_date():
    assert codes(rules.parse_person({**PERSON, "pesel": "02070803629"})[1]) == {
        "pesel": "pesel_checksum"
    }
    assert codes(rules.parse_person({**PERSON, "pesel": "1234"})[1]) == {"pesel": "pesel_format"}
    base = "0541011234"  # month 41: January 2105
    future = base + pesel.calc_check_digit(base)
    assert pesel.is_valid(future)
    assert codes(rules.parse_person({**PERSON, "pesel": future})[1]) == {"pesel": "pesel_future"}
    errors: list[FieldError] = []
    assert rules.check_pesel(future, errors, today=date(2106, 1, 1)) == future and errors == []


def test_nip_and_regon_checksums_and_lengths():
    assert codes(rules.parse_company({**COMPANY, "nip": "5261040829"})[1]) == {
        "nip": "nip_checksum"
    }
    assert codes(rules.parse_company({**COMPANY, "nip": "52610408"})[1]) == {"nip": "nip_format"}
    assert codes(rules.parse_company({**COMPANY, "regon": "012100785"})[1]) == {
        "regon": "regon_checksum"
    }
    assert codes(rules.parse_company({**COMPANY, "regon": "0121007"})[1]) == {
        "regon": "regon_format"
    }
    assert rules.parse_company({**COMPANY, "regon": "01210078400019"})[1] == []
    assert rules.parse_company({**COMPANY, "nip": "526-104-08-28"})[0].nip == "5261040828"  # type: ignore[union-attr]


def test_password_policy():
    assert rules.password_problem("krotkie", []) == "password_short"
    assert rules.password_problem("x" * 129, []) == "password_long"
    assert rules.password_problem("NowakNowak2026!", ["Anna", "Nowak"]) == "password_personal"
    assert rules.password_problem("moje02070803628x", ["02070803628"]) == "password_personal"
    assert (
        rules.password_problem("anna.nowak-haslo1", ["anna.nowak@example.pl"])
        == "password_personal"
    )
    assert (
        rules.password_problem("Zielone-Jabłko-42", ["Anna", "Nowak", "anna.nowak@example.pl"])
        == ""
    )
    mismatch = {**PERSON, "password_confirm": PERSON["password"] + "x"}
    assert codes(rules.parse_person(mismatch)[1]) == {"password_confirm": "password_mismatch"}


def test_email_phone_postal_consent_and_names():
    bad = {
        **PERSON,
        "email": "a@",
        "phone": "12",
        "postal_code": "21075",
        "consent": "",
        "first_name": "Anna1",
        "last_name": "",
    }
    assert codes(rules.parse_person(bad)[1]) == {
        "email": "email_invalid",
        "phone": "phone_format",
        "postal_code": "postal_format",
        "consent": "consent_required",
        "first_name": "name_chars",
        "last_name": "required",
    }
    ok = {**PERSON, "first_name": "Anna-Maria", "last_name": "O'Brien Żółć", "phone": ""}
    assert rules.parse_person(ok)[1] == []


def test_loopback_redirects_on_any_port_only_in_local_mode():
    from identity.config import Settings
    from identity.oidc.clients import load_clients

    local = load_clients(Settings(env="local"))["gateway"]
    assert local.check_redirect_uri("http://127.0.0.1:8000/auth/callback")
    assert local.check_redirect_uri("http://127.0.0.1:8100/auth/callback")
    assert not local.check_redirect_uri("http://127.0.0.1:8100/inna/sciezka")
    assert not local.check_redirect_uri("http://evil.example:8000/auth/callback")
    assert local.allows_logout_uri("http://127.0.0.1:8100/wylogowano")
    prod = load_clients(
        Settings(
            env="production",
            secret_key="s",
            gateway_client_secret="g",
            admin_client_secret="a",
            service_clients="water=w",
        )
    )["gateway"]
    assert not prod.check_redirect_uri("http://127.0.0.1:8100/auth/callback")
