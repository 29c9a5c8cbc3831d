"""The measures' documents printed by the platform's one engine, read back with pdftotext in French and
German: the closure letter, the objectives contract, the round-table invitation."""

from datetime import date, datetime
from typing import Any

import pytest
from measures_factories import new_measure

from cii_platform.contracts.codes import MeasureType
from cii_platform.documents import human_reference
from cii_platform.http import ProblemError
from cii_platform.reference import load_reference_data
from cii_platform.security.crypto import seal
from cii_platform.security.custody import FakeKeyCustody
from cii_platform.security.tokens import Principal
from cii_platform.testing.pdf import pdf_text
from measures.domain import case_management as cm
from measures.domain.model import CaseManager, Measure, Objective, Participant
from measures.domain.situation import Situation
from measures.service_layer.letters import closure_letter_pdf, contract_pdf, invitation_pdf
from measures.service_layer.sealing import Sealer

pytestmark = pytest.mark.unit

AVS = "756.1234.5678.97"
REFERENCE = human_reference("s-1")
MEASURE_IDS = ("m-", "s-1", "p-123")


class Clock:
    def today(self) -> date:
        return date(2026, 10, 2)

    def now(self) -> datetime:
        return datetime(2026, 10, 2, 9, 0)


class Situations:
    def __init__(self, situation: Situation) -> None:
        self.situation = situation

    async def get(self, situation_id: str) -> Situation | None:
        return self.situation if situation_id == self.situation.id else None


class Context:
    """The few parts of the service context the documents use; the sealer and its custody are real code."""

    def __init__(self, measure: Measure, custody: FakeKeyCustody, situation: Situation) -> None:
        self.measure, self.custody = measure, custody
        self.sealer, self.situations = Sealer(custody), Situations(situation)
        self.reference, self.clock = load_reference_data(), Clock()
        self.audited: list[tuple[str, bool]] = []

    async def visible_measure(self, measure_id: str, principal: Principal) -> tuple[Measure, list[Measure]]:
        return self.measure, [self.measure]

    async def audit(self, principal: Principal, action: str, resource: str, granted: bool) -> None:
        self.audited.append((action, granted))


def principal(institution: str, role: str = "case_manager") -> Principal:
    return Principal(subject="u-1", institution=institution, roles=frozenset({role}))


async def situation_with_identity(custody: FakeKeyCustody, language: str | None) -> Situation:
    identity = {"avs_number": AVS, "last_name": "Rossier", "first_name": "Léa", "birth_date": "1990-04-02",
                "language": language, "collaborator": "A. Favre", "respondent": "B. Luyet",
                "address": {"street": "Rue du Rhône 12", "postcode": "1950", "locality": "Sion"}}
    key_id, key = await custody.data_key("p-123", "IDENTITY", controller="ORP")
    return Situation(id="s-1", institution="ORP", region="SION", public="ADULT", situation_type="COMPLEX",
                     status="OPEN", person_pseudonym="p-123", announced_on=date(2026, 1, 10),
                     sealed={"IDENTITY": seal(identity, key, key_id, context="s-1")})


def case_management(language: str) -> Measure:
    measure = new_measure(MeasureType.CASE_MANAGEMENT)
    measure.start(date(2026, 2, 10), case_manager=CaseManager(institution="CMS", name="Nadia Berclaz",
                                                              designated_on=date(2026, 2, 5)),
                  contract_due_on=date(2026, 2, 24), variable_cost=None)
    return measure


def assert_no_codes(text: str) -> None:
    for raw in (AVS, "756.", *MEASURE_IDS, "CASE_MANAGEMENT", "ORP_CMS", "{{", "%("):
        assert raw not in text, raw


@pytest.mark.parametrize(("language", "words"), [
    ("fr", ["Clôture de votre prise en charge CII", "Madame, Monsieur", "clôturée en date du 30 septembre 2026",
            "Sion, le 2 octobre 2026", "Nadia Berclaz", "Centre médico-social (CMS)", "gestionnaire de cas",
            "Imprimé le 02.10.2026", "Page 1 sur 1"]),
    ("de", ["Abschluss Ihrer IIZ-Begleitung", "Sehr geehrte Damen und Herren", "per 30. September 2026",
            "Sitten, 2. Oktober 2026", "Nadia Berclaz", "Sozialmedizinisches Zentrum (SMZ)", "Fallführung",
            "Gedruckt am 02.10.2026", "Seite 1 von 1"]),
])
async def test_the_closure_letter_is_addressed_to_the_person_in_their_language(language: str,
                                                                               words: list[str]) -> None:
    custody = FakeKeyCustody()
    measure = case_management(language)
    measure.close(date(2026, 9, 30), True, None, language)
    ctx: Any = Context(measure, custody, await situation_with_identity(custody, language))
    pdf, chosen = await closure_letter_pdf(ctx, measure.id, principal("ORP"))
    text = pdf_text(pdf)
    assert chosen == language
    for expected in [*words, "Léa Rossier", "Rue du Rhône 12", "1950 Sion", REFERENCE]:
        assert expected in text, (expected, text)
    assert_no_codes(text)
    assert ctx.audited == [("read_closure_letter", True)]


async def test_the_closure_letter_needs_the_identity_released_to_the_caller() -> None:
    custody = FakeKeyCustody()
    measure = case_management("fr")
    measure.close(date(2026, 9, 30), True, None, "fr")
    ctx: Any = Context(measure, custody, await situation_with_identity(custody, "fr"))
    with pytest.raises(ProblemError) as refused:
        await closure_letter_pdf(ctx, measure.id, principal("CMS"))  # no procuration releases it to CMS
    assert refused.value.problem.status == 403 and "identity" in str(refused.value.problem.detail)
    assert ctx.audited == [("read_closure_letter", False)]
    custody.permitted.add((next(iter(custody.keys)), "CMS"))
    pdf, _ = await closure_letter_pdf(ctx, measure.id, principal("CMS"))
    assert "Léa Rossier" in pdf_text(pdf)


async def test_an_open_measure_has_no_closure_letter() -> None:
    custody = FakeKeyCustody()
    measure = case_management("fr")
    ctx: Any = Context(measure, custody, await situation_with_identity(custody, "fr"))
    with pytest.raises(ProblemError) as refused:
        await closure_letter_pdf(ctx, measure.id, principal("ORP"))
    assert refused.value.problem.status == 409


async def signed_contract(custody: FakeKeyCustody) -> Measure:
    measure = case_management("fr")
    objectives = []
    for number, (text, institution, deadline) in enumerate([
            ("Trouver un stage d'insertion", "ORP", date(2026, 4, 30)),
            ("Stabiliser le budget du ménage", "OCPS", date(2026, 6, 30))]):
        sealed = await Sealer(custody).seal_text("ORP", text, "p-123", f"{measure.id}/objective/o-{number}")
        objectives.append(Objective(id=f"o-{number}", text=sealed, responsible_institution=institution,
                                    deadline=deadline))
    cm.sign_contract(measure, date(2026, 2, 20), objectives)
    return measure


@pytest.mark.parametrize(("language", "words"), [
    ("fr", ["Contrat d'objectifs", "Objectifs", "Institution responsable", "Échéance", "30.04.2026", "30.06.2026",
            "Office régional de placement (ORP)", "Office de coordination des prestations sociales (OCPS)",
            "Lieu, date, signature", "La personne", "Le gestionnaire de cas", "Contrat du 20.02.2026"]),
    ("de", ["Zielvereinbarung", "Ziele", "Verantwortliche Institution", "Frist", "30.04.2026",
            "Regionales Arbeitsvermittlungszentrum (RAV)", "Amt für die Koordination der Sozialleistungen (OCPS)",
            "Ort, Datum, Unterschrift", "Die Person", "Die fallführende Person", "Vereinbarung vom 20.02.2026"]),
])
async def test_the_objectives_contract_to_sign(language: str, words: list[str]) -> None:
    custody = FakeKeyCustody()
    measure = await signed_contract(custody)
    ctx: Any = Context(measure, custody, await situation_with_identity(custody, "fr"))
    pdf, chosen = await contract_pdf(ctx, measure.id, principal("ORP"), language)
    text = pdf_text(pdf)
    assert chosen == language
    for expected in [*words, "Trouver un stage d'insertion", "Léa Rossier", "Nadia Berclaz", REFERENCE]:
        assert expected in text, (expected, text)
    assert_no_codes(text)
    assert "o-0" not in text and "1990" not in text


async def test_the_contract_shows_sealed_text_only_to_whom_it_is_released() -> None:
    custody = FakeKeyCustody()
    measure = await signed_contract(custody)
    ctx: Any = Context(measure, custody, await situation_with_identity(custody, "fr"))
    text = pdf_text((await contract_pdf(ctx, measure.id, principal("CMS"), None))[0])
    assert "Trouver un stage" not in text and "Léa" not in text
    assert "texte scellé" in text and "nom non communiqué" in text


@pytest.mark.parametrize(("language", "words"), [
    ("fr", ["Invitation : Table ronde (TRO)", "15 mars 2026", "15.03.2026", "Région", "Sion",
            "Institutions participantes", "Office régional de placement (ORP)", "Centre médico-social (CMS)",
            "Office de l'asile (OASI)"]),
    ("de", ["Einladung: Runder Tisch (TRO)", "15. März 2026", "Sitten", "Teilnehmende Institutionen",
            "Regionales Arbeitsvermittlungszentrum (RAV)", "Sozialmedizinisches Zentrum (SMZ)"]),
])
async def test_the_round_table_invitation(language: str, words: list[str]) -> None:
    custody = FakeKeyCustody()
    measure = new_measure(MeasureType.TRO)
    measure.schedule(date(2026, 3, 15), [Participant(institution=code, person_name="Jean Secret")
                                         for code in ("ORP", "CMS", "OASI")])
    ctx: Any = Context(measure, custody, await situation_with_identity(custody, "fr"))
    pdf, _ = await invitation_pdf(ctx, measure.id, principal("ORP", "coordinator"), language)
    text = pdf_text(pdf)
    for expected in [*words, REFERENCE]:
        assert expected in text, (expected, text)
    assert_no_codes(text)
    assert "Rossier" not in text and "Jean Secret" not in text  # an invitation carries no personal data
