"""Gateway settings (env prefix GATEWAY_)."""

from pydantic import Field

from portal_platform.config import DEV_SECRET, PortalSettings, service_settings_config


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
    # Deklaracja dostępności (accessibility statement): dates and who answers requests
    accessibility_published: str = "2026-11-26"
    accessibility_updated: str = "2026-11-26"
    accessibility_reviewed: str = "2026-11-26"
    accessibility_coordinator: str = "Koordynator do spraw dostępności Urzędu Gminy Ludwin"
    accessibility_email: str = "dostepnosc@ludwin.example"
    accessibility_phone: str = "81 75-70-901"
    # where the payment forms may lead (CSP form-action): the operators' pages; billing's own
    # sandbox page (from GATEWAY_HTTP_SERVICES) is added automatically
    payment_hosts: str = "https://secure.przelewy24.pl,https://sandbox.przelewy24.pl"
    # a static service token for visitors' messages to the office (else client credentials)
    service_token: str = ""
    # identity's token endpoint for the gateway's client credentials (default OIDC_ISSUER/token)
    service_token_url: str = ""
    # the gateway's own service client at identity (an entry of IDENTITY_SERVICE_CLIENTS)
    service_client_id: str = "gateway-service"
    # its secret (the same value as in IDENTITY_SERVICE_CLIENTS; refused outside local/test)
    service_client_secret: str = DEV_SECRET
