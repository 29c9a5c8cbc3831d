"""Settings of the workspace: the platform-wide ones plus WORKSPACE_* (built in __main__, never at import)."""

from pydantic import Field

from cii_platform.settings import ServiceSettings, port, settings_config


def _local(port_variable: str) -> str:
    return f"http://127.0.0.1:{port(port_variable)}"


class Settings(ServiceSettings):
    model_config = settings_config("WORKSPACE_")

    service_name: str = "workspace"
    http_port: int = 8005
    # Its own database holds only the sign-in sessions (cii_platform.web.sessions), never a client's data.
    mongodb_database: str = "cii_workspace"
    # The services whose APIs the pages call, with the signed-in person's own token. Locally each follows its
    # port variable (SIGNALEMENT_HTTP_PORT, ...), like every other component.
    signalement_url: str = Field(default_factory=lambda: _local("SIGNALEMENT_HTTP_PORT"), alias="SIGNALEMENT_URL")
    measures_url: str = Field(default_factory=lambda: _local("MEASURES_HTTP_PORT"), alias="MEASURES_URL")
    reporting_url: str = Field(default_factory=lambda: _local("REPORTING_HTTP_PORT"), alias="REPORTING_URL")
    # The notifications service (issue 17); empty until it is deployed: the home page then shows no inbox.
    notifier_url: str | None = Field(None, alias="NOTIFIER_URL")
    # Where people's browsers reach the reporting dashboard (it may differ from the in-cluster URL).
    public_reporting_url: str | None = None
    session_minutes: int = 8 * 60
    # People sign in through the identity provider (Keycloak, cii_platform.web.login). `true` instead signs the
    # demo users in on /signin with tokens minted from the local key (no Keycloak: quick local trials and the
    # page tests); never enabled in the deployment manifests.
    local_sign_in: bool = False
    api_timeout_seconds: float = 15.0
