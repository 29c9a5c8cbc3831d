"""The signed-in person, as the pages see them: what they may do decides which pages and tasks they get."""

from dataclasses import dataclass

BUREAU = "BUREAU"
LANGUAGES = ("fr", "de")
DEFAULT_LANGUAGE = "fr"


@dataclass(frozen=True)
class Person:
    subject: str
    display_name: str
    institution: str
    roles: frozenset[str]
    access_token: str  # the person's own bearer token: every rule stays enforced by the services
    region: str | None = None
    theme: str | None = None

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_cantonal_officer(self) -> bool:
        return self.institution == BUREAU and self.has_role("cantonal_officer")

    @property
    def is_coordinator(self) -> bool:
        return (self.institution == BUREAU and self.has_role("coordinator")) or self.is_cantonal_officer

    @property
    def is_case_manager(self) -> bool:
        return self.has_role("case_manager", "respondent")

    @property
    def announces(self) -> bool:
        return self.has_role("field_worker", "respondent", "case_manager", "coordinator", "secretariat",
                             "cantonal_officer")

    @property
    def is_dpo(self) -> bool:
        return self.has_role("dpo") or self.is_cantonal_officer

    @property
    def prepares_meetings(self) -> bool:
        """The secretariat invites to round tables and assessments; coordinators and the officer see it too."""
        return (self.institution == BUREAU and self.has_role("secretariat")) or self.is_coordinator

    @property
    def reads_reports(self) -> bool:
        """The bureau's staff read the dashboard and the annual report (reporting's own rule)."""
        return self.institution == BUREAU and self.has_role("cantonal_officer", "coordinator", "secretariat",
                                                            "reporting_reader")

    @property
    def erases(self) -> bool:
        """Only the cantonal officer destroys a person's keys (procuration's rule); the DPO reads the trail."""
        return self.is_cantonal_officer

    @property
    def records_procurations(self) -> bool:
        return self.institution != BUREAU and self.has_role("field_worker", "respondent", "case_manager")


def language_or_default(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE
