"""Billing settings (env prefix BILLING_)."""

from portal_platform.config import PortalSettings, service_settings_config


class Settings(PortalSettings):
    model_config = service_settings_config("billing")

    database_url: str = "sqlite+aiosqlite:///var/billing.db"
    grpc_port: int = 50054
