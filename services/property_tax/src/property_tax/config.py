"""Property-tax settings (env prefix PROPERTY_TAX_)."""

from portal_platform.config import PortalSettings, service_settings_config


class Settings(PortalSettings):
    model_config = service_settings_config("property_tax")

    database_url: str = "sqlite+aiosqlite:///var/property_tax.db"
    grpc_port: int = 50056
    http_port: int = 0
    # the tax authority printed on decisions
    authority: str = "Wójt Gminy Ludwin"
    authority_address: str = "Ludwin 51, 21-075 Ludwin"
    # prefix of decision numbers (znak sprawy), e.g. PN.3120.2027.00012
    case_prefix: str = "PN.3120"
    # days from delivery of a decision to an installment whose date has passed (art. 47 § 1 O.p.)
    delivery_days: int = 14
