"""Waste settings (env prefix WASTE_)."""

from portal_platform.config import DEV_SECRET, PortalSettings, service_settings_config


class Settings(PortalSettings):
    model_config = service_settings_config("waste")

    database_url: str = "sqlite+aiosqlite:///var/waste.db"
    grpc_port: int = 50053
    http_port: int = 0
    # name=host:port of the services waste calls (water for the per-m³ method)
    grpc_services: str = ""
    # OAuth 2 client credentials of waste at identity (service-to-service token)
    service_client_id: str = "waste"
    service_client_secret: str = DEV_SECRET  # refused outside local/test by PortalSettings
    # a fixed service token instead (tests, or injected by the platform's secret store)
    service_token: str = ""
    # batch of declarations per transaction in the annual assessment
    assessment_batch: int = 1000
