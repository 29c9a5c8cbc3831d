"""Export of a procuration as an HL7 FHIR R4 `Consent` resource (JSON)."""

import base64
from typing import Any

from cii_platform.consent.model import Procuration, Status

INSTITUTION_SYSTEM = "urn:cii:institution"
PSEUDONYM_SYSTEM = "urn:cii:person-pseudonym"
PURPOSE_SYSTEM = "urn:cii:purpose"
CATEGORY_SYSTEM = "urn:cii:data-category"
FHIR_STATUS = {Status.ACTIVE: "active", Status.EXPIRED: "inactive", Status.REVOKED: "inactive",
               Status.SUPERSEDED: "inactive"}


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    return {**coding, "display": display} if display else coding


def _institution(code: str) -> dict[str, Any]:
    return {"identifier": {"system": INSTITUTION_SYSTEM, "value": code}}


def consent_resource(procuration: Procuration, status: Status) -> dict[str, Any]:
    return {
        "resourceType": "Consent",
        "id": procuration.procuration_id,
        "status": FHIR_STATUS[status],
        "extension": [{"url": "urn:cii:procuration-status", "valueCode": status.value}],
        "scope": {"coding": [_coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy")]},
        "category": [{"coding": [_coding("http://loinc.org", "59284-0", "Patient Consent")]}],
        "patient": {"identifier": {"system": PSEUDONYM_SYSTEM, "value": procuration.person_pseudonym}},
        "dateTime": procuration.signed_on.isoformat(),
        "organization": [_institution(procuration.recorded_by)],
        "sourceAttachment": {"title": "signed procuration form", "contentType": "application/pdf",
                             "hash": base64.b64encode(bytes.fromhex(procuration.document_sha256)).decode()},
        "policyRule": {"coding": [_coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN")]},
        "provision": {
            "type": "permit",
            "period": {"start": procuration.valid_from.isoformat(), "end": procuration.valid_until.isoformat()},
            "actor": [{"role": {"coding": [_coding(
                "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", "information recipient")]},
                "reference": _institution(code)} for code in sorted(procuration.parties)],
            "action": [{"coding": [_coding("http://terminology.hl7.org/CodeSystem/consentaction", code)]}
                       for code in ("access", "disclose")],
            "purpose": [_coding(PURPOSE_SYSTEM, purpose) for purpose in sorted(procuration.purposes)],
            "class": [_coding(CATEGORY_SYSTEM, category) for category in sorted(procuration.categories)],
        },
    }
