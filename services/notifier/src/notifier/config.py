"""Settings of the notifier: the platform-wide ones plus NOTIFIER_* (built in __main__)."""

from pathlib import Path

from pydantic import Field

from cii_platform.settings import ServiceSettings, port, settings_config


class Settings(ServiceSettings):
    model_config = settings_config("NOTIFIER_")

    service_name: str = "notifier"
    http_port: int = 8006
    mongodb_database: str = "cii_notifier"

    # Where the links of the e-mails lead (the workspace's situation pages); locally the workspace's port variable.
    workspace_url: str = Field(default_factory=lambda: f"http://127.0.0.1:{port('WORKSPACE_HTTP_PORT')}",
                               alias="CII_WORKSPACE_URL")
    # Any SMTP server: locally Mailpit (scripts/infra.sh start-mail), in production the canton's relay.
    smtp_host: str = Field("127.0.0.1", alias="CII_SMTP_HOST")
    smtp_port: int = Field(1025, alias="CII_SMTP_PORT")
    smtp_username: str | None = Field(None, alias="CII_SMTP_USERNAME")
    smtp_password: str | None = Field(None, alias="CII_SMTP_PASSWORD")
    smtp_starttls: bool = Field(False, alias="CII_SMTP_STARTTLS")
    mail_from: str = Field("cii-noreply@cii.local", alias="CII_MAIL_FROM")
    # The daily digest is built after this hour (UTC) for who chose it.
    digest_hour: int = Field(6, ge=0, le=23)
    digest_check_seconds: float = 60.0
    mail_idle_seconds: float = 5.0

    # Who holds a function: `keycloak` (admin REST API) or `file` (a roster YAML, default the demo people).
    directory: str = Field("file", pattern="^(keycloak|file)$")
    people_file: Path | None = None
    keycloak_url: str = Field("http://127.0.0.1:8080", alias="CII_KEYCLOAK_URL")
    keycloak_realm: str = Field("cii", alias="CII_KEYCLOAK_REALM")
    keycloak_client_id: str = "cii-notifier"
    keycloak_client_secret: str | None = None
