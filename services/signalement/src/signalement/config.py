"""Settings of the signalement service: the platform-wide ones plus SIGNALEMENT_* (built in __main__)."""

from pydantic_settings import SettingsConfigDict

from cii_platform.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SIGNALEMENT_", env_ignore_empty=True, extra="ignore",
                                      populate_by_name=True)

    service_name: str = "signalement"
    http_port: int = 8001
    mongodb_database: str = "cii_signalement"
