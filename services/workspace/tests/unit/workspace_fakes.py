"""In-memory stand-ins for the services' APIs, with the object-level rule that matters to the pages:
a situation of another institution (or region) answers 404, as the real services do."""

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from workspace.adapters.memory_sessions import MemorySessionStore
from workspace.bootstrap import Workspace, bootstrap
from workspace.config import Settings
from workspace.domain.person import Person
from workspace.service_layer.ports import ApiProblem, Json

Ids = itertools.count(1)


def person(username: str, institution: str, *roles: str, region: str | None = None,
           theme: str | None = None) -> Person:
    return Person(subject=username, display_name=username, institution=institution, roles=frozenset(roles),
                  access_token=f"token-{username}", region=region, theme=theme)


PEOPLE = {
    "worker.orp": person("worker.orp", "ORP", "field_worker"),
    "worker.cms": person("worker.cms", "CMS", "field_worker"),
    "respondent.cms": person("respondent.cms", "CMS", "respondent", "case_manager"),
    "coord.sion": person("coord.sion", "BUREAU", "coordinator", region="SION"),
    "dpo": person("dpo", "BUREAU", "dpo"),
    "officer": person("officer", "BUREAU", "cantonal_officer"),
    "secretariat": person("secretariat", "BUREAU", "secretariat"),
}
BY_TOKEN = {p.access_token: p for p in PEOPLE.values()}


def situation(**overrides: Any) -> Json:
    today = date.today()
    base = {"id": f"sit-{next(Ids)}", "version": 1, "status": "SUBMITTED", "decision": None, "institution": "ORP",
            "recorded_by": "ORP", "external_ref": "ORP-1", "announced_on": today.isoformat(),
            "person_pseudonym": "p-1", "region": "SION", "public": "ADULT", "situation_type": "COMPLEX",
            "requested_measure": None, "gravity_index": 2.5, "gravity_policy": "v1", "themes": [],
            "routing": {}, "triage_due_on": (today + timedelta(days=10)).isoformat(), "triage_overdue": False,
            "sex": "F", "birth_year": 1980, "age": 45, "education_level": "NONE",
            "risk_factors": ["HEALTH", "FINANCE"], "employment_gap": "OVER_THREE_YEARS",
            "follow_up_started_on": today.isoformat(), "co_following": [], "asylum": False,
            "linked_situations": [], "versions": [], "person_access": "DENIED", "person": None}
    return base | overrides


@dataclass
class FakeSignalementApi:
    situations: dict[str, Json] = field(default_factory=dict)
    announced: list[Json] = field(default_factory=list)
    triaged: list[tuple[str, str, str | None]] = field(default_factory=list)
    reject_with: ApiProblem | None = None

    def add(self, **overrides: Any) -> Json:
        found = situation(**overrides)
        self.situations[found["id"]] = found
        return found

    def _sees(self, token: str, found: Json) -> bool:
        who = BY_TOKEN[token]
        if who.institution == "BUREAU":
            return who.region == found["region"] or who.has_role("cantonal_officer", "secretariat")
        return who.institution == found["institution"]

    async def list_situations(self, token: str, **filters: Any) -> Json:
        items = [s for s in self.situations.values() if self._sees(token, s)
                 and all(s.get(k) == v for k, v in filters.items() if k in ("status", "institution"))
                 and ("reference" not in filters or s["external_ref"] == filters["reference"])]
        if filters.get("avs_number") == "756.0000.0000.00":
            raise ApiProblem(422, "Unprocessable Content", errors=[{"field": "avs_number",
                                                                    "message": "wrong check digit (EAN-13)"}])
        return {"items": items, "total": len(items)}

    async def get_situation(self, token: str, situation_id: str) -> Json:
        found = self.situations.get(situation_id)
        if found is None or not self._sees(token, found):
            raise ApiProblem(404, "Not Found", "no such situation")
        return found

    async def announce(self, token: str, payload: Json, idempotency_key: str) -> str:
        if self.reject_with:
            raise self.reject_with
        self.announced.append(payload)
        return self.add(institution=BY_TOKEN[token].institution, external_ref=payload["external_ref"])["id"]

    async def triage(self, token: str, situation_id: str, decision: str, reason: str | None) -> Json:
        found = await self.get_situation(token, situation_id)
        self.triaged.append((situation_id, decision, reason))
        found.update(status="TRIAGED", decision=decision)
        return found


@dataclass
class FakeMeasuresApi:
    measures: dict[str, Json] = field(default_factory=dict)
    alerts_: list[Json] = field(default_factory=list)
    actions: list[tuple[str, str, Json]] = field(default_factory=list)

    async def list_measures(self, token: str, **filters: Any) -> Json:
        items = [m for m in self.measures.values()
                 if all(not filters.get(name) or m.get(name) == filters[name]
                        for name in ("situation_id", "type", "status"))]
        return {"items": items, "total": len(items)}

    async def get_measure(self, token: str, measure_id: str) -> Json:
        if measure_id not in self.measures:
            raise ApiProblem(404, "Not Found")
        return self.measures[measure_id]

    async def request_measure(self, token: str, body: Json) -> str:
        measure_id = f"m-{next(Ids)}"
        self.measures[measure_id] = {"id": measure_id, "status": "requested", "participants": [],
                                     "meetings": [], "contract": None, "case_manager": None, **body}
        return measure_id

    async def act(self, token: str, measure_id: str, action: str, body: Json) -> Json:
        self.actions.append((measure_id, action, body))
        return self.measures[measure_id]

    async def alerts(self, token: str) -> Json:
        return {"items": self.alerts_, "total": len(self.alerts_)}

    async def document(self, token: str, measure_id: str, name: str) -> tuple[bytes, str]:
        return b"%PDF-1.4", "application/pdf"


@dataclass
class FakeProcurationApi:
    recorded: list[Json] = field(default_factory=list)
    erased: list[str] = field(default_factory=list)
    forms: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    async def store_form(self, token: str, procuration_id: str, content: bytes, content_type: str) -> Json:
        recorded = next(p for p in self.recorded if p["procuration_id"] == procuration_id)
        if hashlib.sha256(content).hexdigest() != recorded["document_sha256"]:
            raise ApiProblem(422, "Unprocessable Content", errors=[{"field": "document", "message": "hash"}])
        self.forms[procuration_id] = (content, content_type)
        return {"procuration_id": procuration_id, "sha256": recorded["document_sha256"], "size": len(content)}

    async def erase(self, token: str, pseudonym: str) -> Json:
        if BY_TOKEN[token].institution != "BUREAU" or "cantonal_officer" not in BY_TOKEN[token].roles:
            raise ApiProblem(403, "Forbidden")
        if pseudonym != "p-1":
            raise ApiProblem(404, "Not Found", "person not found")
        self.erased.append(pseudonym)
        return {"person_pseudonym": pseudonym, "erased": True, "erased_at": "2026-03-02T09:30:00Z"}

    async def record(self, token: str, payload: Json) -> str:
        self.recorded.append(payload)
        return str(payload["procuration_id"])

    async def get(self, token: str, procuration_id: str) -> Json:
        if procuration_id != "P-OLD":
            raise ApiProblem(404, "Not Found")
        return {"id": "P-OLD", "status": "ACTIVE", "valid_from": "2025-06-01", "valid_until": "2026-05-31",
                "parties": ["BUREAU", "ORP"], "categories": ["IDENTITY", "SOCIAL"], "purposes": ["CII_COORDINATION"],
                "person": {"avs_number": "756.1234.5678.97", "last_name": "Exemple", "first_name": "Claire",
                           "birth_date": "1985-03-14"}}

    async def verify_audit(self, token: str) -> Json:
        return {"valid": True, "entries": 42}

    async def access_report(self, token: str, pseudonym: str) -> Json:
        return {"person_pseudonym": pseudonym, "total": 1, "items": [
            {"seq": 1, "at": "2026-03-01T10:00:00Z", "action": "READ", "actor": {"institution": "CMS"},
             "categories": ["HEALTH"], "purpose": "CASE_MANAGEMENT", "outcome": "PERMIT"}]}


@dataclass
class FakeReportingApi:
    alerts: list[Json] = field(default_factory=list)

    async def dashboard(self, token: str) -> Json:
        if BY_TOKEN[token].institution != "BUREAU":
            raise ApiProblem(403, "Forbidden")
        return {"as_of": date.today().isoformat(),
                "open_situations": {"total": 3, "by_state_region": {"SUBMITTED": {"SION": 2}, "TRIAGED": {},
                                                                     "OPEN": {"MONTHEY": 1}}},
                "triage_overdue": 1, "measures_running": {"TRO": 1}, "contracts_overdue": 0,
                "procurations_expiring": 0, "procurations_expired": 0,
                "situations_closed": {"total": 1, "by_outcome": {"MEASURES_COMPLETED": 1}}, "alerts": self.alerts}

    async def annual_report(self, token: str, year: int, extension: str) -> tuple[bytes, str, str]:
        return (f"year;{year}\n".encode(), "text/csv; charset=utf-8",
                f'attachment; filename="cii-report-{year}.{extension}"')


@dataclass
class FakeSignIn:
    def demo_users(self) -> list[str]:
        return list(PEOPLE)

    def sign_in(self, username: str) -> Person:
        from workspace.adapters.local_sign_in import UnknownUser
        if username not in PEOPLE:
            raise UnknownUser(username)
        return PEOPLE[username]


def fake_workspace() -> Workspace:
    return bootstrap(Settings(WORKSPACE_LOCAL_SIGN_IN=False), signalement=FakeSignalementApi(),
                     measures=FakeMeasuresApi(), procuration=FakeProcurationApi(), reporting=FakeReportingApi(),
                     sessions=MemorySessionStore(3600), sign_in=FakeSignIn())
