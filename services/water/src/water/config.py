"""Water settings (env prefix WATER_)."""

from portal_platform.config import PortalSettings, service_settings_config


class Settings(PortalSettings):
    model_config = service_settings_config("water")

    database_url: str = "sqlite+aiosqlite:///var/water.db"
    grpc_port: int = 50052
    http_port: int = 0
