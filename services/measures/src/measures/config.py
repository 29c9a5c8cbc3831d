"""Settings of the measures service (environment prefix MEASURES_, built in __main__)."""

from datetime import date

from pydantic import Field

from cii_platform.settings import ServiceSettings, settings_config


class Settings(ServiceSettings):
    model_config = settings_config("MEASURES_")

    service_name: str = "measures"
    http_port: int = 8002
    mongodb_database: str = "cii_measures"

    # Fixes "today" (YYYY-MM-DD) for alert computation: process tests and demos only; unset in production.
    clock_today: date | None = None
    # A situation announced a moment ago may not have reached this service yet (it learns situations from
    # Kafka): a request naming an unknown situation waits this long for it before answering 422.
    unknown_situation_wait_seconds: float = Field(3.0, ge=0)
    # How often time-based alerts (contract overdue, no meeting, objective deadline, review due) are recomputed.
    alert_scan_seconds: float = Field(300.0, gt=0)

    # Costs (seed 002, financing rules). Variable cost per measure type, in CHF, charged to the requester.
    variable_cost_tariffs: dict[str, float] = Field(
        default_factory=lambda: {"ASSESSMENT": 1800.0, "MEDICAL_MANDATE": 2500.0})
    # Structural costs of the CII bureau per year (CHF), split among the first-circle partners.
    structural_costs_annual: float = 150000.0
    # Split key {INSTITUTION: weight}; empty = equal parts among the first-circle partners.
    structural_cost_key: dict[str, float] = Field(default_factory=dict)
