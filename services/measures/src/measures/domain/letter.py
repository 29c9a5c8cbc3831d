"""The closure letter to the person (seed 001 section 6: communicate the closure formally by letter).

The CII's wording in French and German; the PDF is rendered by adapters.pdf_letter.
"""

from dataclasses import dataclass
from datetime import date

MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"],
}

TEMPLATES = {
    "fr": {
        "sender": "Collaboration interinstitutionnelle CII Valais - Bureau CII",
        "subject": "Clôture de votre prise en charge CII",
        "salutation": "Madame, Monsieur,",
        "body": [
            "Nous vous informons que la prise en charge dont vous avez bénéficié dans le cadre de la "
            "collaboration interinstitutionnelle (CII Valais) est clôturée en date du {closed_on}.",
            "Les institutions partenaires qui vous ont accompagné(e) ainsi que le bureau CII ont été "
            "informés de cette clôture. Vos dossiers auprès de chaque institution restent ouverts selon "
            "leurs propres règles.",
            "Si votre situation devait à nouveau nécessiter une coordination entre plusieurs institutions, "
            "votre conseiller ou votre assistant social peut en tout temps l'annoncer au bureau CII.",
            "Nous vous remercions de votre collaboration et vous souhaitons plein succès pour la suite de "
            "votre parcours.",
        ],
        "closing": "Avec nos meilleures salutations,",
        "signature": "Le gestionnaire de cas CII, pour le bureau CII Valais",
        "reference": "Référence",
        "place": "Sion, le {today}",
    },
    "de": {
        "sender": "Interinstitutionelle Zusammenarbeit IIZ Wallis - IIZ-Büro",
        "subject": "Abschluss Ihrer IIZ-Begleitung",
        "salutation": "Sehr geehrte Damen und Herren,",
        "body": [
            "Wir teilen Ihnen mit, dass Ihre Begleitung im Rahmen der interinstitutionellen Zusammenarbeit "
            "(IIZ Wallis) per {closed_on} abgeschlossen ist.",
            "Die Partnerinstitutionen, die Sie begleitet haben, sowie das IIZ-Büro wurden über diesen "
            "Abschluss informiert. Ihre Dossiers bei den einzelnen Institutionen bleiben nach deren eigenen "
            "Regeln bestehen.",
            "Sollte Ihre Situation erneut eine Koordination zwischen mehreren Institutionen erfordern, kann "
            "Ihre Beraterin oder Ihr Berater dies jederzeit beim IIZ-Büro melden.",
            "Wir danken Ihnen für Ihre Mitarbeit und wünschen Ihnen für Ihren weiteren Weg viel Erfolg.",
        ],
        "closing": "Freundliche Grüsse",
        "signature": "Die IIZ-Fallführung, für das IIZ-Büro Wallis",
        "reference": "Referenz",
        "place": "Sitten, {today}",
    },
}


@dataclass(frozen=True)
class ClosureLetter:
    language: str
    sender: str
    place_and_date: str
    reference: str
    subject: str
    salutation: str
    paragraphs: list[str]
    closing: str
    signature: str


def long_date(day: date, language: str) -> str:
    month = MONTHS[language][day.month - 1]
    return f"{day.day} {month} {day.year}" if language == "fr" else f"{day.day}. {month} {day.year}"


def closure_letter(language: str, closed_on: date, written_on: date, reference: str) -> ClosureLetter:
    template = TEMPLATES[language if language in TEMPLATES else "fr"]
    language = language if language in TEMPLATES else "fr"
    closed, today = long_date(closed_on, language), long_date(written_on, language)
    return ClosureLetter(
        language=language, sender=str(template["sender"]), place_and_date=str(template["place"]).format(today=today),
        reference=f"{template['reference']}: {reference}", subject=str(template["subject"]),
        salutation=str(template["salutation"]), paragraphs=[p.format(closed_on=closed) for p in template["body"]],
        closing=str(template["closing"]), signature=str(template["signature"]))
