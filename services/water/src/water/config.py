"""Water settings (env prefix WATER_)."""

from decimal import Decimal

from portal_platform.config import PortalSettings, service_settings_config
from water.policy import Policy


class Settings(PortalSettings):
    model_config = service_settings_config("water")

    database_url: str = "sqlite+aiosqlite:///var/water.db"
    grpc_port: int = 50052
    http_port: int = 0
    # A reading is flagged as a possible leak or typo above these limits (the resident is
    # warned before submitting, the clerk sees the flag).
    high_daily_m3: Decimal = Decimal("2")
    high_min_m3: int = 30
    high_factor: Decimal = Decimal("5")
    legalisation_years: int = 5
    legalisation_warn_days: int = 90
    payment_days: int = 14
    vat_rate: str = "8"
    estimate_history_days: int = 730

    def policy(self) -> Policy:
        return Policy(
            high_daily_m3=self.high_daily_m3,
            high_min_m3=self.high_min_m3,
            high_factor=self.high_factor,
            legalisation_years=self.legalisation_years,
            legalisation_warn_days=self.legalisation_warn_days,
            payment_days=self.payment_days,
            vat_rate=self.vat_rate,
            estimate_history_days=self.estimate_history_days,
        )
