"""Gateway settings (env prefix GATEWAY_)."""

from pydantic import Field

from portal_platform.config import PortalSettings, service_settings_config


class Settings(PortalSettings):
    model_config = service_settings_config("gateway")

    http_port: int = 8000
    # name=host:port of every service's gRPC endpoint (health on the home page)
    grpc_services: str = ""
    # name=URL of /healthz of HTTP-only services
    http_services: str = ""
    # name=host:port of the modules (they implement portal.module.v1.ModuleService)
    modules: str = Field(default="", validation_alias="PORTAL_MODULES")
    gmina_name: str = "Gmina Ludwin"
