"""Billing settings (env prefix BILLING_)."""

from __future__ import annotations

from datetime import date

from pydantic import model_validator
from stdnum.pl import nip

from billing.modules import ModuleConfig
from billing.payers.accounts import is_valid_nrb
from portal_platform.config import PortalSettings, service_settings_config

# KSeF API 2.0 environments (the addresses ksef-client knows as KsefEnvironment)
KSEF_URLS = {
    "test": "https://api-test.ksef.mf.gov.pl",
    "demo": "https://api-demo.ksef.mf.gov.pl",
    "prod": "https://api.ksef.mf.gov.pl",
}


class Settings(PortalSettings):
    model_config = service_settings_config("billing")

    database_url: str = "sqlite+aiosqlite:///var/billing.db"
    grpc_port: int = 50054
    http_port: int = 8054
    # where a browser reaches billing's HTTP pages (the sandbox payment provider)
    public_url: str = ""

    # the gmina: recipient of every payment (R17); account from the seed (BS Cyców)
    gmina_name: str = "Gmina Ludwin"
    gmina_address: str = "Ludwin 51, 21-075 Ludwin"
    gmina_phone: str = "81 75-70-901"
    gmina_email: str = ""
    gmina_hours: str = "pon.–pt. 7:30–15:30"
    gmina_nip: str = ""
    gmina_bank: str = "BS Cyców oddział Ludwin"
    gmina_account: str = "36819110552001000000420003"
    # digits after the bank sort code shared by every payer's virtual account
    virtual_account_prefix: str = "20019"
    # the gmina's unit that issues the invoices (Podmiot3 "JST – wystawca" in FA(3)); empty: none
    gmina_unit_name: str = ""
    gmina_unit_nip: str = ""
    gmina_unit_address: str = ""

    # KSeF (structured FA(3) invoices to payers with a NIP): test | demo | prod; empty: not sent
    ksef_env: str = ""
    ksef_token: str = ""
    ksef_base_url: str = ""  # overrides the address of ksef_env (e.g. a test double)
    ksef_poll_seconds: float = 2.0  # between status checks of KSeF
    ksef_batch: int = 100  # documents per run of ksef-send
    # first issue date sent to KSeF (YYYY-MM-DD); documents issued before it are never sent;
    # empty: ksef-send refuses to send anything
    ksef_since: str = ""
    # legal basis of VAT exemption (P_19A) printed when a line has rate `zw`
    ksef_exemption_basis: str = ""
    # FA(3) code for rate `np` ("np I" | "np II"); empty: such documents get no FA(3)
    ksef_np_code: str = ""

    # module=regime (civil | tax); unknown modules use the tax-like regime
    module_regimes: str = "water=civil,waste=tax,property_tax=tax"
    # module=code in document numbers (FV/W/2026/06/000123); default: upper-case key
    module_codes: str = "water=W,waste=O,property_tax=PN"
    # dated rate tables `YYYY-MM-DD=rate,...`; empty: the tables shipped in ledger/rates.py
    tax_interest_rates: str = ""
    civil_interest_rates: str = ""
    payment_days: int = 14  # due date of a charge that comes without one
    reminder_cost_grosze: int = 1600

    # online payments: sandbox | przelewy24
    payment_provider: str = "sandbox"
    sandbox_settlement_delay_s: float = 10.0
    p24_base_url: str = "https://sandbox.przelewy24.pl"
    p24_merchant_id: int = 0
    p24_pos_id: int = 0
    p24_crc: str = ""
    p24_api_key: str = ""

    @model_validator(mode="after")
    def _check_billing(self) -> Settings:
        ModuleConfig.parse(self.module_regimes, self.module_codes)
        if not is_valid_nrb(self.gmina_account.replace(" ", "")):
            raise ValueError("gmina_account is not a valid NRB (26 digits, check digits)")
        if not self.virtual_account_prefix.isdigit() or len(self.virtual_account_prefix) > 10:
            raise ValueError("virtual_account_prefix must be up to 10 digits")
        for name in ("gmina_nip", "gmina_unit_nip"):
            value = getattr(self, name).replace("-", "").replace(" ", "")
            if value and not nip.is_valid(value):
                raise ValueError(f"{name} is not a valid NIP")
        if self.gmina_unit_name and not self.gmina_unit_address:
            raise ValueError("gmina_unit_address is required with gmina_unit_name")
        if self.ksef_env not in ("", *KSEF_URLS):
            raise ValueError("ksef_env must be test, demo or prod (empty: KSeF off)")
        if self.ksef_env and not (self.ksef_token and self.gmina_nip):
            raise ValueError("ksef_env needs ksef_token and gmina_nip")
        if self.ksef_since:
            try:
                date.fromisoformat(self.ksef_since)
            except ValueError:
                raise ValueError("ksef_since must be a date YYYY-MM-DD (empty: not set)") from None
        if self.ksef_np_code not in ("", "np I", "np II"):
            raise ValueError("ksef_np_code must be 'np I' or 'np II' (empty: not mapped)")
        return self

    @property
    def ksef_since_date(self) -> date | None:
        """First issue date sent to KSeF (None: not set, nothing is sent)."""
        return date.fromisoformat(self.ksef_since) if self.ksef_since else None

    @property
    def ksef_url(self) -> str:
        """Where ksef-send talks to KSeF (empty: KSeF off)."""
        if not self.ksef_env:
            return ""
        return self.ksef_base_url or KSEF_URLS[self.ksef_env]
