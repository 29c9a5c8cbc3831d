"""Reference codes of docs/contract.md section 4 that are fixed by the contract.

Institution codes are deliberately NOT an enum: the list of institutions is reference data
(`cii_platform.reference`) that grows without a code change.
"""

from enum import StrEnum


class Region(StrEnum):
    HAUT_VALAIS = "HAUT_VALAIS"
    SIERRE = "SIERRE"
    SION = "SION"
    MARTIGNY = "MARTIGNY"
    MONTHEY = "MONTHEY"


class Theme(StrEnum):
    YOUNG = "YOUNG"
    ASYLUM = "ASYLUM"


class Public(StrEnum):
    ADULT = "ADULT"
    YOUNG = "YOUNG"


class SituationType(StrEnum):
    SIMPLE = "SIMPLE"
    NETWORK = "NETWORK"
    COMPLEX = "COMPLEX"


class Sex(StrEnum):
    F = "F"
    M = "M"
    X = "X"


class EducationLevel(StrEnum):
    NONE = "NONE"
    SECONDARY_II = "SECONDARY_II"
    TERTIARY = "TERTIARY"


class RiskFactor(StrEnum):
    HEALTH = "HEALTH"
    ADDICTION = "ADDICTION"
    ILLITERACY = "ILLITERACY"
    FINANCE = "FINANCE"
    EDUCATION = "EDUCATION"
    LANGUAGE = "LANGUAGE"
    HOUSING = "HOUSING"
    FAMILY = "FAMILY"
    JUSTICE = "JUSTICE"
    SOCIAL_ISOLATION = "SOCIAL_ISOLATION"


class EmploymentGap(StrEnum):
    EMPLOYED = "EMPLOYED"
    UNDER_1_YEAR = "UNDER_1_YEAR"
    ONE_TO_THREE_YEARS = "ONE_TO_THREE_YEARS"
    OVER_THREE_YEARS = "OVER_THREE_YEARS"
    NEVER_EMPLOYED = "NEVER_EMPLOYED"


class MeasureType(StrEnum):
    TRO = "TRO"
    ASSESSMENT = "ASSESSMENT"
    COACHING_ORP_CMS = "COACHING_ORP_CMS"
    CASE_MANAGEMENT = "CASE_MANAGEMENT"
    MEDICAL_MANDATE = "MEDICAL_MANDATE"


class DataCategory(StrEnum):
    IDENTITY = "IDENTITY"
    EMPLOYMENT = "EMPLOYMENT"
    HEALTH = "HEALTH"
    FINANCE = "FINANCE"
    EDUCATION = "EDUCATION"
    SOCIAL = "SOCIAL"
    RESIDENCE = "RESIDENCE"
    JUSTICE = "JUSTICE"


class Purpose(StrEnum):
    CII_COORDINATION = "CII_COORDINATION"
    TRO = "TRO"
    ASSESSMENT = "ASSESSMENT"
    CASE_MANAGEMENT = "CASE_MANAGEMENT"
    MEDICAL_MANDATE = "MEDICAL_MANDATE"
    COACHING = "COACHING"


class Role(StrEnum):
    FIELD_WORKER = "field_worker"
    RESPONDENT = "respondent"
    COORDINATOR = "coordinator"
    CASE_MANAGER = "case_manager"
    SECRETARIAT = "secretariat"
    CANTONAL_OFFICER = "cantonal_officer"
    DPO = "dpo"
    REPORTING_READER = "reporting_reader"
    INSTITUTION_SYSTEM = "institution_system"
    # Platform services calling each other (key custody, decisions); never given to people.
    SERVICE = "service"


class TriageDecision(StrEnum):
    ACCEPT_COMPLEX = "ACCEPT_COMPLEX"
    REDIRECT_NETWORK = "REDIRECT_NETWORK"
    REDIRECT_SIMPLE = "REDIRECT_SIMPLE"
    REJECT = "REJECT"


BUREAU = "BUREAU"
SMR = "SMR"
PRIVATE = "PRIVATE"
