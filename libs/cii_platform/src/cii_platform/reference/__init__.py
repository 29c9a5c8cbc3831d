"""Versioned reference data, loaded at start from YAML (CII_REFERENCE_DATA_FILE or the packaged file)."""

from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .gravity import Contribution, GravityPolicy

__all__ = ["Contribution", "GravityPolicy", "ReferenceData", "load_reference_data"]
PACKAGED_FILE = Path(__file__).with_name("reference_data.yaml")


class Institution(BaseModel):
    code: str
    name: str
    circle: int = Field(ge=1, le=2)
    may_announce_adult_complex: bool = True
    units: list[str] = Field(default_factory=list)


class PlatformBody(BaseModel):
    code: str
    name: str


class Coordinator(BaseModel):
    id: str
    name: str
    also_notify: list[str] = Field(default_factory=list)


class Coordinators(BaseModel):
    regional: dict[str, Coordinator]
    thematic: dict[str, Coordinator]




class AgeRange(BaseModel):
    min: int
    max: int


class ContractingParty(BaseModel):
    name: str
    institutions: list[str] = Field(default_factory=list)


class Triage(BaseModel):
    due_working_days: int = 10


class ReferenceData(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: str
    institutions: list[Institution]
    platform_bodies: list[PlatformBody]
    regions: list[str]
    themes: list[str]
    coordinators: Coordinators
    asylum_residence_permits: list[str]
    asylum_institutions: list[str]
    young_age: AgeRange
    gravity_policies: dict[str, GravityPolicy | str]
    triage: Triage = Triage()
    contracting_parties: dict[str, ContractingParty] = Field(default_factory=dict)
    closure_reasons: list[str] = Field(default_factory=lambda: ["OTHER"])
    measures: list[str]
    risk_factors: list[str]

    @cached_property
    def institution_codes(self) -> set[str]:
        return {i.code for i in self.institutions}

    def institution(self, code: str) -> Institution | None:
        return next((i for i in self.institutions if i.code == code), None)

    @property
    def first_circle(self) -> set[str]:
        return {i.code for i in self.institutions if i.circle == 1}

    def contracting_party_of(self, institution: str) -> str | None:
        """The convention's party an institution takes part through (ORP -> SICT); None for others."""
        return next((code for code, party in self.contracting_parties.items()
                     if institution == code or institution in party.institutions), None)

    @property
    def default_gravity_policy(self) -> str:
        """The version new announcements are scored with (`gravity_policies.default`); a situation keeps
        the version it was scored with, so its index is explained by that version's weights."""
        default = self.gravity_policies.get("default", "v1")
        return default if isinstance(default, str) else "v1"

    def gravity_policy(self, version: str) -> GravityPolicy:
        policy = self.gravity_policies.get(version)
        if not isinstance(policy, GravityPolicy):
            raise KeyError(f"unknown gravity policy {version!r}")
        return policy


def load_reference_data(path: Path | None = None) -> ReferenceData:
    with open(path or PACKAGED_FILE, encoding="utf-8") as handle:
        return ReferenceData.model_validate(yaml.safe_load(handle))
