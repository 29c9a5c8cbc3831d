"""Settings of the reporting service (environment prefix REPORTING_)."""


from cii_platform.settings import ServiceSettings, settings_config


class Settings(ServiceSettings):
    model_config = settings_config("REPORTING_")

    service_name: str = "reporting"
    http_port: int = 8004
    mongodb_database: str = "cii_reporting"
    # The consumer (and Kafka group `cii-<name>`) that projects the internal topics; `rebuild` resets it.
    projection_consumer: str = "reporting-projection"
    # Default small-cell threshold of publication exports.
    publication_threshold: int = 3
