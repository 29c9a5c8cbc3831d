"""Settings of the reporting service (environment prefix REPORTING_)."""

from pydantic_settings import SettingsConfigDict

from cii_platform.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", env_ignore_empty=True, extra="ignore",
                                      populate_by_name=True)

    service_name: str = "reporting"
    http_port: int = 8004
    mongodb_database: str = "cii_reporting"
    # The consumer (and Kafka group `cii-<name>`) that projects the internal topics; `rebuild` resets it.
    projection_consumer: str = "reporting-projection"
    # Default small-cell threshold of publication exports.
    publication_threshold: int = 3
