"""Commands of the measures service (the HTTP bodies of docs/contract.md section 7 and issue 5)."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat

from cii_platform.contracts.codes import MeasureType

Text = Field(min_length=1, max_length=20_000)
Code = Field(min_length=1, max_length=40)


class Command(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RequestMeasure(Command):
    situation_id: str = Field(min_length=1, max_length=200)
    type: MeasureType
    requested_on: date
    requested_by: str | None = Field(None, min_length=1, max_length=40)  # the bureau, on a partner's behalf


class ParticipantIn(Command):
    institution: str = Code
    person_name: str | None = Field(None, max_length=200)
    role: str | None = Field(None, max_length=100)


class ScheduleMeasure(Command):
    date: date
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=50)


class OutcomeIn(Command):
    recommended_measure: MeasureType | None = None
    # The session recommends no further measure: the situation closes once nothing else runs.
    no_further_measure: StrictBool = False
    notes: str | None = Field(None, max_length=20_000)


class HoldMeasure(Command):
    held_on: date
    outcome: OutcomeIn | None = None


class CaseManagerIn(Command):
    institution: str = Code
    subject: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=200)


class StartMeasure(Command):
    started_on: date
    # A case manager given as a plain string is the respondent's token subject.
    case_manager: CaseManagerIn | str | None = None


class CloseMeasure(Command):
    closed_on: date
    reinsertion: StrictBool
    final_report: str | None = Field(None, max_length=50_000)
    language: Literal["fr", "de"] | None = None  # of the closure letter; default: the region's language


class CancelMeasure(Command):
    cancelled_on: date
    reason: str = Field(min_length=1, max_length=40, description="a code of reference data closure_reasons")


class ReviewSituation(Command):
    reviewed_on: date


class CloseSituation(Command):
    closed_on: date
    reason: str = Field(min_length=1, max_length=40, description="a code of reference data closure_reasons")


class DesignateCaseManager(CaseManagerIn):
    designated_on: date


class ObjectiveIn(Command):
    text: str | None = Field(None, max_length=5_000)
    responsible_institution: str = Code
    deadline: date


class SignContract(Command):
    signed_on: date
    objectives: list[ObjectiveIn] = Field(min_length=1, max_length=50)


class AchieveObjective(Command):
    achieved_on: date


class LogMeeting(Command):
    held_on: date
    minutes: str | None = Field(None, max_length=50_000)


class RecordReview(Command):
    reviewed_on: date


class DecidePrefinancing(Command):
    decision: Literal["PREFINANCED", "REFUSED"]
    decided_on: date
    decided_by: Literal["COMMISSION_DROIT"] = "COMMISSION_DROIT"
    # The cost advanced (CHF); default: the measure type's tariff. Required for a type without one.
    amount: StrictFloat | None = Field(None, gt=0, le=1_000_000)  # a number, not "12.50" in a string


class SettlePrefinancing(Command):
    """Entitlement clarified: the partner found liable pays; none (null): the fund keeps the cost."""

    settled_on: date
    charged_to: str | None = Field(None, min_length=1, max_length=40)


class RaiseDisagreement(Command):
    raised_on: date
    reason: str = Text


class DecideDisagreement(Command):
    decided_on: date
    decision: str = Field(min_length=1, max_length=5_000)
