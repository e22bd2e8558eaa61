"""Validation rules of registration: identifiers (python-stdnum), e-mail, address, password."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date

from email_validator import EmailNotValidError, validate_email
from stdnum.exceptions import ValidationError
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import pesel as stdnum_pesel
from stdnum.pl import regon as stdnum_regon

from identity.accounts.schemas import (
    Address,
    CompanyRegistration,
    FieldError,
    PersonRegistration,
)

PASSWORD_MIN = 12
PASSWORD_MAX = 128
NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '’\-.][^\W\d_]+)*\.?$")
POSTAL_RE = re.compile(r"^\d{2}-\d{3}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()\-]{9,20}$")


def clean(value: object, limit: int = 200) -> str:
    """Trim, normalise Unicode (NFC) and cut overly long input."""
    return unicodedata.normalize("NFC", str(value or "")).strip()[: limit + 1]


def check_name(value: str, field: str, errors: list[FieldError], *, limit: int = 100) -> None:
    if not value:
        errors.append(FieldError(field, "required"))
    elif len(value) > limit:
        errors.append(FieldError(field, "too_long"))
    elif not NAME_RE.match(value):
        errors.append(FieldError(field, "name_chars"))


def check_text(value: str, field: str, errors: list[FieldError], *, limit: int = 200) -> None:
    if not value:
        errors.append(FieldError(field, "required"))
    elif len(value) > limit:
        errors.append(FieldError(field, "too_long"))


def normalise_email(value: str, errors: list[FieldError]) -> str:
    """The normalised address, or '' with an error recorded."""
    if not value:
        errors.append(FieldError("email", "required"))
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors.append(FieldError("email", "email_invalid"))
        return ""


def check_pesel(value: str, errors: list[FieldError], *, today: date | None = None) -> str:
    """Compact PESEL when valid (checksum, date, not in the future)."""
    if not value:
        errors.append(FieldError("pesel", "required"))
        return ""
    try:
        number = stdnum_pesel.validate(value)
    except ValidationError as exc:
        code = "pesel_checksum" if type(exc).__name__ == "InvalidChecksum" else "pesel_format"
        errors.append(FieldError("pesel", code))
        return ""
    if stdnum_pesel.get_birth_date(number) > (today or date.today()):
        errors.append(FieldError("pesel", "pesel_future"))
        return ""
    return str(number)


def check_nip(value: str, errors: list[FieldError]) -> str:
    if not value:
        errors.append(FieldError("nip", "required"))
        return ""
    try:
        return str(stdnum_nip.validate(value))
    except ValidationError as exc:
        code = "nip_checksum" if type(exc).__name__ == "InvalidChecksum" else "nip_format"
        errors.append(FieldError("nip", code))
        return ""


def check_regon(value: str, errors: list[FieldError]) -> str:
    if not value:
        errors.append(FieldError("regon", "required"))
        return ""
    try:
        return str(stdnum_regon.validate(value))
    except ValidationError as exc:
        code = "regon_checksum" if type(exc).__name__ == "InvalidChecksum" else "regon_format"
        errors.append(FieldError("regon", code))
        return ""


def check_address(data: Mapping[str, object], errors: list[FieldError]) -> Address:
    street, postal, city = (
        clean(data.get("street")),
        clean(data.get("postal_code")),
        clean(data.get("city")),
    )
    check_text(street, "street", errors)
    if not postal:
        errors.append(FieldError("postal_code", "required"))
    elif not POSTAL_RE.match(postal):
        errors.append(FieldError("postal_code", "postal_format"))
    check_text(city, "city", errors, limit=100)
    return Address(street=street, postal_code=postal, city=city)


def check_phone(value: str, errors: list[FieldError]) -> str:
    if value and not PHONE_RE.match(value):
        errors.append(FieldError("phone", "phone_format"))
    return value


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def password_problem(password: str, personal: list[str]) -> str:
    """The catalogue code of what is wrong with the password, or ''."""
    if len(password) < PASSWORD_MIN:
        return "password_short"
    if len(password) > PASSWORD_MAX:
        return "password_long"
    folded = _folded(password)
    for item in personal:
        for part in re.split(r"[\s@._\-]+", item):
            part_f = _folded(part)
            if len(part_f) >= 3 and part_f in folded:
                return "password_personal"
    return ""


def check_password(
    data: Mapping[str, object], personal: list[str], errors: list[FieldError]
) -> str:
    password = str(data.get("password") or "")
    problem = password_problem(password, personal)
    if problem:
        errors.append(FieldError("password", problem))
    elif password != str(data.get("password_confirm") or ""):
        errors.append(FieldError("password_confirm", "password_mismatch"))
    return password


def _consent(data: Mapping[str, object], errors: list[FieldError]) -> None:
    if not data.get("consent"):
        errors.append(FieldError("consent", "consent_required"))


def parse_person(
    data: Mapping[str, object], language: str = "pl"
) -> tuple[PersonRegistration | None, list[FieldError]]:
    """Validate the natural-person form; every wrong field gets its own error."""
    errors: list[FieldError] = []
    first, last = clean(data.get("first_name")), clean(data.get("last_name"))
    check_name(first, "first_name", errors)
    check_name(last, "last_name", errors)
    pesel = check_pesel(clean(data.get("pesel"), 20), errors)
    email = normalise_email(clean(data.get("email"), 254), errors)
    phone = check_phone(clean(data.get("phone"), 30), errors)
    address = check_address(data, errors)
    password = check_password(data, [first, last, email, pesel, clean(data.get("email"))], errors)
    _consent(data, errors)
    if errors:
        return None, errors
    return PersonRegistration(first, last, pesel, email, phone, address, password, language), []


def parse_company(
    data: Mapping[str, object], language: str = "pl"
) -> tuple[CompanyRegistration | None, list[FieldError]]:
    """Validate the company/institution form."""
    errors: list[FieldError] = []
    name = clean(data.get("company_name"))
    check_text(name, "company_name", errors)
    nip = check_nip(clean(data.get("nip"), 20), errors)
    regon = check_regon(clean(data.get("regon"), 20), errors)
    email = normalise_email(clean(data.get("email"), 254), errors)
    phone = check_phone(clean(data.get("phone"), 30), errors)
    address = check_address(data, errors)
    representative = clean(data.get("representative"))
    check_name(representative, "representative", errors, limit=200)
    password = check_password(data, [name, representative, email, nip, regon], errors)
    _consent(data, errors)
    if errors:
        return None, errors
    return (
        CompanyRegistration(
            name, nip, regon, email, phone, address, representative, password, language
        ),
        [],
    )
