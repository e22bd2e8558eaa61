"""Identity settings (env prefix IDENTITY_)."""

from portal_platform.config import PortalSettings, service_settings_config


class Settings(PortalSettings):
    model_config = service_settings_config("identity")

    database_url: str = "sqlite+aiosqlite:///var/identity.db"
    grpc_port: int = 50051
    http_port: int = 8002
