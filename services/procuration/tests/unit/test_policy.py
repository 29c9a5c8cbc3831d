"""The consent decision as a pure function: every rule, in microseconds."""

import time
from datetime import timedelta

import pytest

from cii_platform.consent.model import Status
from cii_platform.consent.policy import DENY, Decision, Reason, decide, decide_exchange
from procuration.testing import SAMPLE_TODAY, sample_procuration

pytestmark = pytest.mark.unit
TODAY = SAMPLE_TODAY
procuration = sample_procuration


@pytest.mark.parametrize(("changes", "requester", "category", "purpose", "reason"), [
    ({}, "CMS", "EMPLOYMENT", "TRO", "permitted"),
    ({}, "OAI", "EMPLOYMENT", "TRO", "no_procuration"),
    ({}, "CMS", "HEALTH", "TRO", "category_not_covered"),
    ({}, "CMS", "EMPLOYMENT", "COACHING", "purpose_not_covered"),
    ({"valid_from": TODAY + timedelta(days=1)}, "CMS", "EMPLOYMENT", "TRO", "not_yet_valid"),
    ({"valid_until": TODAY - timedelta(days=1)}, "CMS", "EMPLOYMENT", "TRO", "expired"),
    ({"valid_until": TODAY}, "CMS", "EMPLOYMENT", "TRO", "permitted"),  # the last day is included
    ({"status": Status.REVOKED}, "CMS", "EMPLOYMENT", "TRO", "revoked"),
    ({"status": Status.SUPERSEDED, "superseded_on": TODAY}, "CMS", "EMPLOYMENT", "TRO", "superseded"),
    ({"status": Status.SUPERSEDED, "superseded_on": TODAY + timedelta(days=1)}, "CMS", "EMPLOYMENT", "TRO",
     "permitted"),
])
def test_each_rule(changes, requester, category, purpose, reason):
    decision = decide([procuration(**changes)], requester=requester, category=category, purpose=purpose,
                      today=TODAY)
    assert (decision.decision, decision.reason) == ("PERMIT" if reason == "permitted" else "DENY", reason)
    assert decision.procuration_id == (None if reason == "no_procuration" else "p1")


def test_no_procuration_and_any_permitting_procuration_wins():
    assert decide([], requester="CMS", category="EMPLOYMENT", purpose="TRO", today=TODAY).reason == "no_procuration"
    revoked, active = procuration(status=Status.REVOKED), procuration(procuration_id="p2")
    decision = decide([revoked, active], requester="CMS", category="EMPLOYMENT", purpose="TRO", today=TODAY)
    assert (decision.decision, decision.procuration_id) == ("PERMIT", "p2")


def test_the_deny_reason_comes_from_the_procuration_naming_the_requester():
    other = procuration(procuration_id="p-other", parties=frozenset({"OAI"}))
    mine = procuration(procuration_id="p-mine", categories=frozenset({"SOCIAL"}))
    decision = decide([other, mine], requester="CMS", category="EMPLOYMENT", purpose="TRO", today=TODAY)
    assert (decision.reason, decision.procuration_id) == ("category_not_covered", "p-mine")


def test_an_exchange_needs_the_provider_as_a_party_too():
    decision = decide_exchange([procuration()], requester="CMS", provider="OAI", category="EMPLOYMENT",
                               purpose="TRO", today=TODAY)
    assert (decision.decision, decision.reason) == ("DENY", "provider_not_party")


def test_a_decision_takes_microseconds():
    procurations = [procuration(procuration_id=f"p{i}", parties=frozenset({"OAI"})) for i in range(5)]
    started = time.perf_counter()
    for _ in range(10_000):
        decide(procurations, requester="CMS", category="EMPLOYMENT", purpose="TRO", today=TODAY)
    assert (time.perf_counter() - started) / 10_000 < 1e-3  # ~10 µs idle; generous for a loaded machine


def test_today_is_injectable():
    from cii_platform.clock import FixedClock, SystemClock, clock_for

    fixed = clock_for(TODAY)
    assert isinstance(fixed, FixedClock) and fixed.today() == TODAY
    fixed.advance(31)
    assert fixed.today() == TODAY + timedelta(days=31)
    assert isinstance(clock_for(None), SystemClock)


def test_a_non_party_gets_the_same_answer_whether_or_not_the_person_has_a_procuration():
    """No procuration id, no reason that tells a procuration exists (revoked, expired or in force)."""
    none = decide([], requester="OAI", category="EMPLOYMENT", purpose="TRO", today=TODAY)
    for changes in ({}, {"status": Status.REVOKED}, {"valid_until": TODAY - timedelta(days=1)}):
        some = decide([procuration(**changes)], requester="OAI", category="EMPLOYMENT", purpose="TRO", today=TODAY)
        assert some == none == Decision(DENY, Reason.NO_PROCURATION, None)
