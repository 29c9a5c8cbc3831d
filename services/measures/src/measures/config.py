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
    # Seed 001, section 6: meetings about every two weeks; NO_MEETING fires after this many days without one.
    meeting_every_days: int = Field(14, ge=1, le=365)
    # How often time-based alerts (contract overdue, no meeting, objective deadline, review due) are recomputed.
    alert_scan_seconds: float = Field(300.0, gt=0)

    # Costs (seed 002, financing rules). Variable cost per measure type, in CHF, charged to the requester.
    variable_cost_tariffs: dict[str, float] = Field(
        default_factory=lambda: {"ASSESSMENT": 1800.0, "MEDICAL_MANDATE": 2500.0})
    # Structural costs of the CII bureau (CHF), split among the convention's contracting parties (seed 002,
    # 7.2). Per year when known; other years take the latest report's amount (seed 000, section 3: 2024).
    structural_costs_by_year: dict[int, float] = Field(
        default_factory=lambda: {2023: 432759.50, 2024: 434206.70})
    structural_costs_annual: float | None = None  # set: the amount of every year not listed above
    # Split key {PARTY: weight} decided by the COPIL; empty = equal parts among the contracting parties.
    structural_cost_key: dict[str, float] = Field(default_factory=dict)
    # Measures the cantonal employment fund may prefinance (seed 002, 7.4: the reinsertion measures).
    prefinanceable_measures: list[str] = Field(
        default_factory=lambda: ["ASSESSMENT", "COACHING_ORP_CMS", "CASE_MANAGEMENT", "MEDICAL_MANDATE"])

    def structural_costs(self, year: int) -> float:
        """The year's amount; a year not listed takes the latest listed year's (or the override)."""
        if year in self.structural_costs_by_year:
            return self.structural_costs_by_year[year]
        if self.structural_costs_annual is not None:
            return self.structural_costs_annual
        earlier = [y for y in self.structural_costs_by_year if y < year] or list(self.structural_costs_by_year)
        return self.structural_costs_by_year[max(earlier)] if earlier else 0.0
