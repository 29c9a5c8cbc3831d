"""Codes as words in documents (docs/contract.md section 4). The message ids are English; the French and
German catalogs in `locale/` translate them. A code without words keeps a readable spelling rather than
vanish (`NEW_CODE` -> "New code"), so new reference data still prints."""


def N_(message: str) -> str:
    """Marks a message id for extraction only."""
    return message


CODE_LABELS: dict[str, dict[str, str]] = {
    "region": {"HAUT_VALAIS": N_("Upper Valais"), "SIERRE": N_("Sierre"), "SION": N_("Sion"),
               "MARTIGNY": N_("Martigny"), "MONTHEY": N_("Monthey")},
    "measure": {"TRO": N_("Round table (TRO)"), "ASSESSMENT": N_("Assessment"),
                "COACHING_ORP_CMS": N_("ORP-CMS coaching"), "CASE_MANAGEMENT": N_("Case management"),
                "MEDICAL_MANDATE": N_("Medical mandate")},
    "category": {"IDENTITY": N_("Identity"), "EMPLOYMENT": N_("Employment"), "HEALTH": N_("Health"),
                 "FINANCE": N_("Finances"), "EDUCATION": N_("Education"), "SOCIAL": N_("Social situation"),
                 "RESIDENCE": N_("Residence"), "JUSTICE": N_("Justice")},
    "purpose": {"CII_COORDINATION": N_("CII coordination"), "TRO": N_("Round table (TRO)"),
                "ASSESSMENT": N_("Assessment"), "CASE_MANAGEMENT": N_("Case management"),
                "MEDICAL_MANDATE": N_("Medical mandate"), "COACHING": N_("Coaching")},
    "role": {"field_worker": N_("Field worker"), "respondent": N_("CII respondent"),
             "coordinator": N_("Coordinator"), "case_manager": N_("Case manager"),
             "secretariat": N_("Secretariat"), "cantonal_officer": N_("Cantonal officer"),
             "dpo": N_("Data-protection officer"), "reporting_reader": N_("Reporting reader"),
             "institution_system": N_("Institution's system"), "service": N_("Platform service")},
    "education": {"NONE": N_("No post-compulsory education"), "SECONDARY_II": N_("Upper secondary"),
                  "TERTIARY": N_("Tertiary")},
    "closure": {"MEASURES_COMPLETED": N_("Measures completed"), "REDIRECTED_NETWORK": N_("Redirected to the network"),
                "REDIRECTED_SIMPLE": N_("Redirected to a simple CII"), "REJECTED": N_("Rejected at triage"),
                "NO_FURTHER_MEASURE": N_("No further measure recommended"),
                "MEASURE_CANCELLED": N_("Measure cancelled"), "CLOSED_BY_COORDINATOR": N_("Closed by the coordinator")},
    "outcome": {"PERMIT": N_("Permitted"), "DENY": N_("Refused"), "READ": N_("Read"), "GRANTED": N_("Granted"),
                "DENIED": N_("Refused"), "ERASED": N_("Erased"), "ISSUED": N_("Issued"),
                "RECORDED": N_("Recorded"), "REVOKED": N_("Revoked"), "DELIVERED": N_("Delivered"),
                "REFUSED": N_("Refused"), "FULFILLED": N_("Fulfilled"), "REQUESTED": N_("Requested"),
                "MIGRATED": N_("Migrated"), "RELEASED": N_("Released"), "KEYED": N_("Keyed")},
    "audit_action": {"decision": N_("Decision on an exchange"), "key.issue": N_("Data key created"),
                     "key.release": N_("Data key released to read sealed data"),
                     "key.migrate": N_("Data key moved to a new master key"),
                     "exchange.requested": N_("Exchange of data requested"),
                     "exchange.fulfil": N_("Exchange of data answered"),
                     "exchange.denied": N_("Exchange of data refused"),
                     "exchange.delivered": N_("Exchanged data delivered"),
                     "procuration.recorded": N_("Procuration recorded"),
                     "procuration.revoked": N_("Procuration revoked"),
                     "procuration.read": N_("Procuration read"), "person.erased": N_("Personal data erased"),
                     "person.access_report": N_("Access report printed"),
                     "audit.chain_keyed": N_("Audit log sealed with a new key"),
                     "request.refused": N_("Request refused"), "personal_data.read": N_("Personal data read")},
}

INSTITUTION_NAMES: dict[str, str] = {
    "ORP": N_("Regional employment office (ORP)"), "LMMT": N_("Labour market measures (LMMT)"),
    "OCPS": N_("Cantonal office for social protection (OCPS)"), "CMS": N_("Social-medical centre (CMS)"),
    "OASI": N_("Asylum office (OASI)"), "T1": N_("T1 platform"), "OSP": N_("Vocational guidance (OSP)"),
    "OAI": N_("Disability insurance (OAI)"), "BUREAU": N_("CII bureau"),
    "SMR": N_("Regional medical service (SMR)"), "PRIVATE": N_("Private person"),
}


def label_of(kind: str, code: object) -> str:
    """The English message id for a code (translated by the caller)."""
    if code is None or code == "":
        return ""
    text = str(code)
    if kind == "institution":
        return INSTITUTION_NAMES.get(text, text)
    return CODE_LABELS.get(kind, {}).get(text, text.replace("_", " ").replace(".", " ").capitalize())
