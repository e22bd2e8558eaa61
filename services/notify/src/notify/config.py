"""Notify settings (env prefix NOTIFY_; the SMTP relay may also come from the shared SMTP_URL)."""

from pydantic import AliasChoices, Field

from portal_platform.config import DEV_SECRET, PortalSettings, service_settings_config

GMINA_CONTACT = (
    "Urząd Gminy Ludwin, Ludwin 51, 21-075 Ludwin · tel. 81 75-70-901 · pon.–pt. 7:30–15:30"
)


class Settings(PortalSettings):
    model_config = service_settings_config("notify")

    database_url: str = "sqlite+aiosqlite:///var/notify.db"
    grpc_port: int = 50055
    http_port: int = 0

    # outgoing mail: smtp://[user:password@]host:port, smtps:// for TLS, ?starttls=1 for STARTTLS
    smtp_url: str = Field(
        default="smtp://127.0.0.1:2525",
        validation_alias=AliasChoices("NOTIFY_SMTP_URL", "SMTP_URL", "smtp_url"),
    )
    smtp_timeout_s: float = 15.0
    mail_from: str = "Portal Komunalny Gminy Ludwin <portal@ludwin.example>"
    clerks_email: str = "urzad@ludwin.example"
    gmina_name: str = "Gmina Ludwin"
    gmina_contact: str = GMINA_CONTACT
    portal_url: str = "http://127.0.0.1:8000"
    admin_url: str = "http://127.0.0.1:8001"

    # delivery loop: poll interval, retries with exponential backoff, then "failed"
    delivery_interval_s: float = 2.0
    delivery_batch: int = 50
    retry_base_s: float = 30.0
    retry_max_s: float = 3600.0
    max_attempts: int = 15

    # reminders: the daily run (local time, Europe/Warsaw); the schedule itself is data
    reminders_enabled: bool = True
    reminder_hour: int = 8

    # contact form: anti-spam limits per sender address (IP and e-mail), kept in the database
    contact_per_minute: int = 5
    contact_per_hour: int = 30

    # other services (gRPC) and the token notify uses to call them
    identity_address: str = "127.0.0.1:50051"
    water_address: str = "127.0.0.1:50052"
    billing_address: str = "127.0.0.1:50054"
    service_token: str = ""
    service_client_id: str = "notify"
    service_client_secret: str = DEV_SECRET
    service_token_url: str = ""
