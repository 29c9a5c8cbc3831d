"""Object-level authorization, sealing of free text (FakeKeyCustody) and the closure letter."""

from datetime import date

import pytest
from measures_factories import new_measure

from cii_platform.contracts.codes import MeasureType, Purpose
from cii_platform.security.custody import FakeKeyCustody, KeyErased, key_id_for
from cii_platform.security.tokens import Principal
from measures.domain.model import CaseManager, Participant
from measures.domain.situation import letter_language_for
from measures.service_layer.access import may_request_measure, sees_measure
from measures.service_layer.sealing import Sealer

pytestmark = pytest.mark.unit


def principal(institution: str, *roles: str, region: str | None = None, subject: str = "someone") -> Principal:
    return Principal(subject=subject, institution=institution, roles=frozenset(roles), region=region)


def test_the_announcer_participants_coordinator_case_manager_and_officer_see_a_measure() -> None:
    tro = new_measure(MeasureType.TRO, region="SION")
    tro.participants = [Participant(institution="CMS")]
    cm = new_measure(MeasureType.CASE_MANAGEMENT, region="SION")
    cm.case_manager = CaseManager(institution="OAI", subject="cm-7", designated_on=date(2026, 2, 2))
    situation = [tro, cm]
    seeing = [principal("ORP", "field_worker"), principal("CMS", "respondent"),
              principal("BUREAU", "coordinator", region="SION"), principal("BUREAU", "cantonal_officer"),
              principal("OAI", "case_manager", subject="cm-7")]
    blind = [principal("OAI", "case_manager", subject="cm-8"), principal("BUREAU", "coordinator", region="SIERRE"),
             principal("ORP", "reporting_reader"), principal("OSP", "field_worker")]
    assert all(sees_measure(p, tro, situation) for p in seeing)
    assert not any(sees_measure(p, tro, situation) for p in blind)


def test_the_smr_sees_the_medical_mandate_it_carries_out() -> None:
    mandate = new_measure(MeasureType.MEDICAL_MANDATE)
    assert sees_measure(principal("SMR", "field_worker"), mandate, [mandate])
    assert not sees_measure(principal("SMR", "field_worker"), new_measure(MeasureType.TRO), [])


def test_only_the_network_requests_measures_on_a_situation() -> None:
    tro = new_measure(MeasureType.TRO)
    tro.participants = [Participant(institution="CMS")]
    assert may_request_measure(principal("CMS", "respondent"), tro.situation, [tro])
    assert not may_request_measure(principal("OAI", "respondent"), tro.situation, [tro])


async def test_free_text_is_sealed_under_its_writers_key_and_released_to_others_only_under_a_procuration() -> None:
    custody = FakeKeyCustody()
    sealer = Sealer(custody)
    section = await sealer.seal_text("BUREAU", "procès-verbal", "p-1", "m-1/minutes/1")
    assert section is not None and "procès" not in section.ciphertext
    assert section.key_id == key_id_for("p-1", "SOCIAL", "BUREAU")
    bureau, cms = principal("BUREAU", "coordinator", region="SION"), principal("CMS", "case_manager")
    assert await sealer.unseal_text(section, bureau, purpose=Purpose.CASE_MANAGEMENT,
                                    context="m-1/minutes/1") == "procès-verbal"
    assert await sealer.unseal_text(section, cms, purpose=Purpose.CASE_MANAGEMENT, context="m-1/minutes/1") is None
    custody.permitted.add((section.key_id, "CMS"))
    assert await sealer.unseal_text(section, cms, purpose=Purpose.CASE_MANAGEMENT,
                                    context="m-1/minutes/1") == "procès-verbal"
    assert [r.purpose for r in custody.releases] == ["CASE_MANAGEMENT"] * 3
    cms_text = await sealer.seal_text("CMS", "note", "p-1", "m-1/minutes/2")
    assert cms_text is not None and cms_text.key_id == key_id_for("p-1", "SOCIAL", "CMS")
    assert await sealer.unseal_text(cms_text, bureau, purpose=Purpose.CASE_MANAGEMENT,
                                    context="m-1/minutes/2") is None  # the bureau is a party like others
    assert await sealer.seal_text("BUREAU", None, "p-1", "x") is None


def test_the_letter_is_in_the_persons_language_else_the_regions() -> None:
    assert letter_language_for("HAUT_VALAIS", None) == "de"
    assert letter_language_for("SION", None) == "fr"
    assert letter_language_for("HAUT_VALAIS", "fr") == "fr"


async def test_after_erasure_sealed_text_can_be_neither_read_nor_written() -> None:
    custody = FakeKeyCustody()
    sealer = Sealer(custody)
    section = await sealer.seal_text("BUREAU", "rapport final", "p-2", "m-2/final_report")
    assert section is not None
    custody.erased.add("p-2")
    with pytest.raises(KeyErased):
        await sealer.unseal_text(section, principal("BUREAU", "cantonal_officer"), purpose=Purpose.CII_COORDINATION,
                                 context="m-2/final_report")
    with pytest.raises(KeyErased):
        await sealer.seal_text("BUREAU", "autre", "p-2", "m-2/minutes/1")
