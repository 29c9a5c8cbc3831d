"""Revocation is a compare-and-set on the stored status: when it writes nothing, it decides again."""

from dataclasses import replace
from typing import Any, cast

import pytest

from cii_platform.consent.model import Procuration, Status
from cii_platform.contracts.inbound import ProcurationRevoked
from procuration.service_layer.procurations import ProcurationRegistry, RevokeProcuration
from procuration.testing import SAMPLE_TODAY, sample_procuration

pytestmark = pytest.mark.unit


class ChangingRepository:
    """Serves the stored procuration as it is at each read; a transition expecting another status fails."""

    def __init__(self, versions: list[Procuration]) -> None:
        self.versions = versions
        self.reads = 0
        self.transitions: list[tuple[dict[str, Any], dict[str, Any]]] = []

    async def get(self, procuration_id: str) -> Procuration:
        current = self.versions[min(self.reads, len(self.versions) - 1)]
        self.reads += 1
        return current

    async def transition(self, procuration_id: str, expected: dict[str, Any], changes: dict[str, Any],
                         events: list[dict[str, Any]]) -> bool:
        self.transitions.append((expected, changes))
        stored = self.versions[min(self.reads, len(self.versions) - 1)]
        return bool(expected["status"] == stored.status.value)


class Custodian:
    async def issue(self, *_: Any) -> tuple[str, bytes]:
        return "key-1", bytes(32)


class Audit:
    def __init__(self) -> None:
        self.entries: list[Any] = []

    async def record(self, event: Any, **_: Any) -> int:
        self.entries.append(event)
        return len(self.entries)


def registry(repository: ChangingRepository, audit: Audit) -> ProcurationRegistry:
    return ProcurationRegistry(cast(Any, repository), cast(Any, Custodian()), cast(Any, None), cast(Any, audit),
                               cast(Any, None))


def revoke_command(procuration: Procuration) -> RevokeProcuration:
    payload = ProcurationRevoked(procuration_id=procuration.procuration_id, revoked_on=SAMPLE_TODAY,
                                 reason="withdrawn")
    return RevokeProcuration(institution=procuration.recorded_by, payload=payload, actor={"institution": "ORP"})


async def test_a_revocation_whose_compare_and_set_lost_to_a_renewal_is_decided_again_and_applied():
    active = sample_procuration()
    superseded = replace(active, status=Status.SUPERSEDED, superseded_by="p-new", superseded_on=SAMPLE_TODAY)
    repository, audit = ChangingRepository([active, superseded]), Audit()
    await registry(repository, audit).revoke(revoke_command(active))
    assert [(expected["status"], changes["status"]) for expected, changes in repository.transitions] == [
        ("ACTIVE", "REVOKED"), ("SUPERSEDED", "REVOKED")]
    assert len(audit.entries) == 1


async def test_a_revocation_that_finds_the_procuration_revoked_meanwhile_writes_nothing_more():
    active = sample_procuration()
    repository, audit = ChangingRepository([active, replace(active, status=Status.REVOKED)]), Audit()
    await registry(repository, audit).revoke(revoke_command(active))
    assert len(repository.transitions) == 1 and audit.entries == []
