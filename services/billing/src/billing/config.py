"""Billing settings (env prefix BILLING_)."""

from __future__ import annotations

from pydantic import model_validator

from billing.modules import ModuleConfig
from billing.payers.accounts import is_valid_nrb
from portal_platform.config import PortalSettings, service_settings_config


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
        return self
