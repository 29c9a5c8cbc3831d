"""Settings of the procuration service (env prefix PROCURATION_, built in __main__, never at import)."""

from datetime import date
from pathlib import Path

from pydantic import Field

from cii_platform.security.keys import AUDIT_KEY, MASTER_KEY
from cii_platform.settings import ServiceSettings, settings_config

DAY_SECONDS = 24 * 3600


class Settings(ServiceSettings):
    model_config = settings_config("PROCURATION_")

    service_name: str = "procuration"
    http_port: int = 8003
    mongodb_database: str = "cii_procuration"

    master_key_file: Path | None = Field(None, alias="CII_MASTER_KEY_FILE")
    # The audit chain's HMAC key: a secret file like the master key, never in the store.
    audit_key_file: Path | None = Field(None, alias="CII_AUDIT_KEY_FILE")
    # Checkpoints of the audit chain are published at most this often (and at shutdown).
    audit_checkpoint_seconds: float = 0.2
    # A request the provider never answers is denied to the requester (reason "timeout") after this delay.
    exchange_timeout_seconds: float = 7 * DAY_SECONDS
    exchange_timeout_check_seconds: float = 60.0
    expiry_warning_days: int = 30
    expiry_watch_interval_seconds: float = DAY_SECONDS
    # Keys of a person whose situations are all closed are destroyed after this many years.
    retention_years: int = 10
    # True: a decision answers only once its audit entry is stored; False: it joins the group commit.
    durable_decision_audit: bool = False
    # Fixes "today" for the expiry watch and decisions (demo and process tests); None: the system clock.
    clock_today: date | None = None

    @property
    def master_key_path(self) -> Path:
        return self.key_file(self.master_key_file, MASTER_KEY)

    @property
    def audit_key_path(self) -> Path:
        return self.key_file(self.audit_key_file, AUDIT_KEY)
