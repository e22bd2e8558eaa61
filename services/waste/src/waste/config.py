"""Waste settings (env prefix WASTE_)."""

from portal_platform.config import PortalSettings, service_settings_config


class Settings(PortalSettings):
    model_config = service_settings_config("waste")

    database_url: str = "sqlite+aiosqlite:///var/waste.db"
    grpc_port: int = 50053
    http_port: int = 0
