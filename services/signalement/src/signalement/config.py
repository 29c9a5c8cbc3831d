"""Settings of the signalement service: the platform-wide ones plus SIGNALEMENT_* (built in __main__)."""


from cii_platform.settings import ServiceSettings, settings_config


class Settings(ServiceSettings):
    model_config = settings_config("SIGNALEMENT_")

    service_name: str = "signalement"
    http_port: int = 8001
    mongodb_database: str = "cii_signalement"
