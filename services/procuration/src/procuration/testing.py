"""Helpers for tests and benchmarks of the procuration service: fresh persons, ids, payloads, tokens."""

import itertools
import random
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from cii_platform.consent.model import Procuration
from cii_platform.contracts.avs import format_avs
from cii_platform.contracts.codes import EducationLevel, EmploymentGap, Public, Sex, SituationType
from cii_platform.contracts.envelope import new_event, platform_source
from cii_platform.contracts.internal_measures import SITUATION_CLOSED, SituationClosed
from cii_platform.contracts.internal_signalement import SITUATION_RECORDED, Routing, SituationRecorded
from cii_platform.security.keys import read_hex_key
from cii_platform.security.pseudonym import Pseudonymizer

EXCHANGE_TIMEOUT_SECONDS = 4

_counter = itertools.count(random.randint(10_000, 90_000))


def new_avs() -> str:
    return format_avs(f"75699{next(_counter):07d}")


def new_id(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}-{random.randint(0, 10**6)}"


def procuration_payload(avs: str, *, parties: list[str], categories: list[str], purposes: list[str],
                        valid_from: date | None = None, valid_until: date | None = None,
                        procuration_id: str | None = None, last_name: str = "Rossier") -> dict[str, Any]:
    today = date.today()
    start = valid_from or today - timedelta(days=30)
    return {"procuration_id": procuration_id or new_id("proc"),
            "person": {"avs_number": avs, "last_name": last_name, "first_name": "Anne", "birth_date": "1990-04-02"},
            "signed_on": min(start, today).isoformat(), "valid_from": start.isoformat(),
            "valid_until": (valid_until or today + timedelta(days=365)).isoformat(),
            "parties": parties, "categories": categories, "purposes": purposes, "document_sha256": "ab" * 32}


def bureau_headers(platform: Any, role: str = "cantonal_officer") -> dict[str, str]:
    return {"Authorization": f"Bearer {platform.token('BUREAU', role)}"}


def institution_headers(platform: Any, institution: str, role: str = "institution_system") -> dict[str, str]:
    return {"Authorization": f"Bearer {platform.token(institution, role)}"}


def service_headers(platform: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {platform.token('BUREAU', 'service', subject='service:test')}"}


def record_procuration(platform: Any, payload: dict[str, Any], institution: str = "ORP") -> str:
    with platform.client("procuration") as http:
        response = http.post("/api/v1/procurations", json=payload, headers=institution_headers(platform, institution))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def ask_decision(platform: Any, requester: str, avs: str, category: str, purpose: str,
                 headers: dict[str, str] | None = None) -> dict[str, Any]:
    with platform.client("procuration") as http:
        response = http.post("/api/v1/decisions", headers=headers or service_headers(platform), json={
            "requester": requester, "person": {"avs_number": avs}, "category": category, "purpose": purpose})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


SAMPLE_TODAY = date(2026, 6, 15)


def sample_procuration(**changes: Any) -> Procuration:
    """A procuration in force on SAMPLE_TODAY for ORP and CMS, EMPLOYMENT for TRO (unit tests)."""
    base = Procuration(
        procuration_id="p1", person_pseudonym="p_x", signed_on=SAMPLE_TODAY - timedelta(days=10),
        valid_from=SAMPLE_TODAY - timedelta(days=10), valid_until=SAMPLE_TODAY + timedelta(days=100),
        parties=frozenset({"ORP", "CMS"}), categories=frozenset({"EMPLOYMENT"}), purposes=frozenset({"TRO"}),
        document_sha256="ab" * 32, recorded_by="ORP")
    return replace(base, **changes)


def pseudonym_of(platform: Any, avs: str) -> str:
    """The platform's pseudonym of an AVS number, computed with the test platform's key."""
    key = read_hex_key(platform.infra.data_dir / "keys" / "pseudonym.key", "pseudonym key")
    return Pseudonymizer(key).person(avs)


def situation_recorded_event(person_pseudonym: str, *, status: str = "SUBMITTED") -> dict[str, Any]:
    """What the signalement service publishes when a situation opens (for the situation tracking)."""
    today = date.today()
    situation = SituationRecorded(
        situation_id=new_id("sit"), version=1, institution="ORP", external_ref=new_id("ref"), announced_on=today,
        person_pseudonym=person_pseudonym, sex=Sex.F, birth_year=1990, age=35, region="SION",
        public=Public.ADULT, education_level=EducationLevel.NONE, situation_type=SituationType.COMPLEX,
        risk_factors=[], employment_gap=EmploymentGap.EMPLOYED, gravity_index=0, gravity_policy="v1",
        follow_up_started_on=today, routing=Routing(coordinator_id="c-sion"), status=status)
    return new_event(SITUATION_RECORDED, platform_source("signalement"), situation).model_dump(mode="json")


def situation_closed_event(situation_id: str, closed_on: date) -> dict[str, Any]:
    closed = SituationClosed(situation_id=situation_id, closed_on=closed_on)
    return new_event(SITUATION_CLOSED, platform_source("measures"), closed).model_dump(mode="json")
