"""Validated input of the account use cases (plain dataclasses, no transport types)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """A refused field and the catalogue key of the message that explains why."""

    field: str
    code: str


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    city: str


@dataclass(frozen=True)
class PersonRegistration:
    first_name: str
    last_name: str
    pesel: str
    email: str
    phone: str
    address: Address
    password: str
    language: str = "pl"


@dataclass(frozen=True)
class CompanyRegistration:
    company_name: str
    nip: str
    regon: str
    email: str
    phone: str
    address: Address
    representative: str
    password: str
    language: str = "pl"


class RegistrationInvalid(Exception):
    """The form has wrong fields; nothing was stored."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(", ".join(f"{e.field}:{e.code}" for e in errors))
        self.errors = errors
