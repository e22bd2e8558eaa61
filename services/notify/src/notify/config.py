"""Notify settings (env prefix NOTIFY_)."""

from portal_platform.config import PortalSettings, service_settings_config


class Settings(PortalSettings):
    model_config = service_settings_config("notify")

    database_url: str = "sqlite+aiosqlite:///var/notify.db"
    grpc_port: int = 50055
    http_port: int = 0
