"""Every code the APIs answer, as words (docs/contract.md section 4). The message ids are English; the
French and German catalogs translate them. `N_` only marks a string for extraction (Babel keyword)."""

from cii_platform.documents.words import INSTITUTION_NAMES


def N_(message: str) -> str:
    return message


CODE_LABELS: dict[str, dict[str, str]] = {
    "status": {"SUBMITTED": N_("Waiting for triage"), "TRIAGED": N_("Triaged"), "OPEN": N_("Measure under way"),
               "CLOSED": N_("Closed")},
    "decision": {"ACCEPT_COMPLEX": N_("Accepted as a complex situation"),
                 "REDIRECT_NETWORK": N_("Redirected to the network"),
                 "REDIRECT_SIMPLE": N_("Closed: a simple situation, no CII measure"),
                 "REJECT": N_("Rejected")},
    "region": {"HAUT_VALAIS": N_("Upper Valais"), "SIERRE": N_("Sierre"), "SION": N_("Sion"),
               "MARTIGNY": N_("Martigny"), "MONTHEY": N_("Monthey")},
    "theme": {"YOUNG": N_("Young people"), "ASYLUM": N_("Asylum")},
    "public": {"ADULT": N_("Adult"), "YOUNG": N_("Young person (15 to 25)")},
    "situation_type": {"SIMPLE": N_("Simple"), "NETWORK": N_("Network"), "COMPLEX": N_("Complex")},
    "sex": {"F": N_("Woman"), "M": N_("Man"), "X": N_("Other")},
    "education": {"NONE": N_("No post-compulsory education"), "SECONDARY_II": N_("Upper secondary"),
                  "TERTIARY": N_("Tertiary")},
    "risk": {"HEALTH": N_("Health"), "ADDICTION": N_("Addiction"), "ILLITERACY": N_("Illiteracy"),
             "FINANCE": N_("Finances"), "EDUCATION": N_("Education"), "LANGUAGE": N_("Language"),
             "HOUSING": N_("Housing"), "FAMILY": N_("Family"), "JUSTICE": N_("Justice"),
             "SOCIAL_ISOLATION": N_("Social isolation")},
    "employment_gap": {"EMPLOYED": N_("Employed"), "UNDER_1_YEAR": N_("Out of work for less than a year"),
                       "ONE_TO_THREE_YEARS": N_("Out of work for one to three years"),
                       "OVER_THREE_YEARS": N_("Out of work for more than three years"),
                       "NEVER_EMPLOYED": N_("Never employed")},
    "measure": {"TRO": N_("Round table (TRO)"), "ASSESSMENT": N_("Assessment"),
                "COACHING_ORP_CMS": N_("ORP-CMS coaching"), "CASE_MANAGEMENT": N_("Case management"),
                "MEDICAL_MANDATE": N_("Medical mandate")},
    "measure_status": {"requested": N_("Requested"), "scheduled": N_("Scheduled"), "held": N_("Held"),
                       "started": N_("Under way"), "closed": N_("Closed")},
    "category": {"IDENTITY": N_("Identity"), "EMPLOYMENT": N_("Employment"), "HEALTH": N_("Health"),
                 "FINANCE": N_("Finances"), "EDUCATION": N_("Education"), "SOCIAL": N_("Social situation"),
                 "RESIDENCE": N_("Residence"), "JUSTICE": N_("Justice")},
    "purpose": {"CII_COORDINATION": N_("CII coordination"), "TRO": N_("Round table (TRO)"),
                "ASSESSMENT": N_("Assessment"), "CASE_MANAGEMENT": N_("Case management"),
                "MEDICAL_MANDATE": N_("Medical mandate"), "COACHING": N_("Coaching")},
    "alert": {"CONTRACT_OVERDUE": N_("Objectives contract overdue"),
              "NO_MEETING": N_("No meeting for more than two weeks"),
              "OBJECTIVE_OVERDUE": N_("Objective past its deadline"), "REVIEW_DUE": N_("Quarterly review due"),
              "PROCURATION_EXPIRING": N_("Procuration expires within 30 days"),
              "PROCURATION_EXPIRED": N_("Procuration expired"), "PROCURATION_REVOKED": N_("Procuration revoked"),
              "TRIAGE_OVERDUE": N_("Triage overdue")},
    "role": {"field_worker": N_("Field worker"), "respondent": N_("CII respondent"),
             "coordinator": N_("Coordinator"), "case_manager": N_("Case manager"),
             "secretariat": N_("Secretariat"), "cantonal_officer": N_("Cantonal officer"),
             "dpo": N_("Data-protection officer"), "reporting_reader": N_("Reporting reader")},
    "person_access": {"GRANTED": N_("Shown under the person's procuration"),
                      "DENIED": N_("Not shown: no procuration permits it"),
                      "ERASED": N_("Erased at the person's request"),
                      "NOT_AUTHORIZED": N_("Not shown: your role does not read personal data")},
    "procuration_status": {"ACTIVE": N_("In force"), "EXPIRED": N_("Expired"), "REVOKED": N_("Revoked"),
                           "SUPERSEDED": N_("Superseded by a renewal")},
    # how a situation ended (docs/contract.md section 6, situation.closed.v1)
    "closure_outcome": {"MEASURES_COMPLETED": N_("Its measures completed"),
                        "REDIRECTED_NETWORK": N_("Redirected to the network"),
                        "REDIRECTED_SIMPLE": N_("A simple situation, no CII measure"),
                        "REJECTED": N_("Rejected at triage"),
                        "NO_FURTHER_MEASURE": N_("No further measure needed"),
                        "MEASURE_CANCELLED": N_("Its measure was cancelled"),
                        "CLOSED_BY_COORDINATOR": N_("Closed by the coordinator")},
    # procuration's audit trail (procuration.service_layer.audit.Action and the outcomes it records)
    "audit_action": {"decision": N_("Decision on an exchange"), "key.issue": N_("Key issued"),
                     "key.release": N_("Key released to read"), "key.migrate": N_("Key migrated"),
                     "exchange.requested": N_("Exchange requested"), "exchange.fulfil": N_("Exchange to fulfil"),
                     "exchange.denied": N_("Exchange refused"), "exchange.delivered": N_("Exchange delivered"),
                     "procuration.recorded": N_("Procuration recorded"),
                     "procuration.revoked": N_("Procuration revoked"), "procuration.read": N_("Procuration read"),
                     "person.erased": N_("Person's data erased"), "person.access_report": N_("Access report read"),
                     "audit.chain_keyed": N_("Audit chain keyed"), "request.refused": N_("Request refused"),
                     "personal_data.read": N_("Personal data read")},
    "outcome": {"PERMIT": N_("Permitted"), "DENY": N_("Refused"), "READ": N_("Read"), "ERASED": N_("Erased"),
                "ISSUED": N_("Issued"), "KEYED": N_("Keyed"), "MIGRATED": N_("Migrated"),
                "RECORDED": N_("Recorded"), "REFUSED": N_("Refused"), "REVOKED": N_("Revoked")},
}

# The institutions' names are the documents' own (one list for pages and letters).


def label_of(kind: str, code: object) -> str:
    """The English message id for a code (translated by the caller); an unknown code keeps its own
    spelling rather than vanish, so new reference data still shows."""
    if code is None or code == "":
        return ""
    text = str(code)
    if kind == "institution":
        return INSTITUTION_NAMES.get(text, text)
    return CODE_LABELS.get(kind, {}).get(text, text.replace("_", " ").capitalize())
