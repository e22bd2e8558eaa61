"""What the domain needs from configuration, as one plain object (no settings import in rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from billing.ledger.rates import CIVIL_STATUTORY, TAX_STANDARD, RateTable, parse_table
from billing.ledger.rules import CivilRegime, Regime, TaxRegime
from billing.modules import ModuleConfig
from billing.payers.service import AccountScheme

WARSAW = ZoneInfo("Europe/Warsaw")


def today() -> date:
    """Today in Europe/Warsaw (dates of the domain are local calendar dates)."""
    return datetime.now(WARSAW).date()


@dataclass(frozen=True)
class Gmina:
    name: str = "Gmina Ludwin"
    address: str = "Ludwin 51, 21-075 Ludwin"
    phone: str = ""
    email: str = ""
    hours: str = ""
    nip: str = ""
    bank: str = ""
    account: str = "36819110552001000000420003"
    # the unit issuing invoices on the gmina's behalf (FA(3) Podmiot3, role "JST – wystawca")
    unit_name: str = ""
    unit_nip: str = ""
    unit_address: str = ""


@dataclass(frozen=True)
class EInvoicing:
    """Structured invoices (FA(3)) for payers with a NIP; `enabled`: sent to KSeF."""

    enabled: bool = False
    since: date | None = None  # documents issued before it are never sent (None: nothing is)
    exemption_basis: str = ""  # P_19A for lines at rate `zw`
    np_code: str = ""  # FA(3) code for rate `np`; empty: not mapped


@dataclass(frozen=True)
class Context:
    """Gmina data, account scheme, module regimes and the other knobs of billing."""

    gmina: Gmina = field(default_factory=Gmina)
    virtual_prefix: str = "20019"
    modules: ModuleConfig = field(default_factory=ModuleConfig)
    payment_days: int = 14
    reminder_cost: int = 1600
    tax_table: RateTable = TAX_STANDARD
    civil_table: RateTable = CIVIL_STATUTORY
    einvoicing: EInvoicing = field(default_factory=EInvoicing)

    @property
    def scheme(self) -> AccountScheme:
        return AccountScheme(self.gmina.account, self.virtual_prefix)

    def regime(self, module: str) -> Regime:
        if self.modules.regime(module) == "civil":
            return CivilRegime(self.civil_table)
        return TaxRegime(self.tax_table)

    @classmethod
    def from_settings(cls, s: Any) -> Context:
        g = Gmina(
            name=s.gmina_name,
            address=s.gmina_address,
            phone=s.gmina_phone,
            email=s.gmina_email,
            hours=s.gmina_hours,
            nip=s.gmina_nip.replace("-", "").replace(" ", ""),
            bank=s.gmina_bank,
            account=s.gmina_account.replace(" ", ""),
            unit_name=getattr(s, "gmina_unit_name", ""),
            unit_nip=getattr(s, "gmina_unit_nip", "").replace("-", "").replace(" ", ""),
            unit_address=getattr(s, "gmina_unit_address", ""),
        )
        tax = getattr(s, "tax_interest_rates", "")
        civil = getattr(s, "civil_interest_rates", "")
        return cls(
            gmina=g,
            virtual_prefix=s.virtual_account_prefix,
            modules=ModuleConfig.parse(s.module_regimes, s.module_codes),
            payment_days=s.payment_days,
            reminder_cost=s.reminder_cost_grosze,
            tax_table=parse_table(tax) if tax else TAX_STANDARD,
            civil_table=parse_table(civil) if civil else CIVIL_STATUTORY,
            einvoicing=EInvoicing(
                enabled=bool(getattr(s, "ksef_env", "")),
                since=getattr(s, "ksef_since_date", None),
                exemption_basis=getattr(s, "ksef_exemption_basis", ""),
                np_code=getattr(s, "ksef_np_code", ""),
            ),
        )
