"""The words of a notification in the recipient's language (gettext catalogs, read with Babel).

Codes become words (a decision, a measure, an alert, a region), dates are written the local way; the
text holds the reference and the link into the workspace and nothing of the person: an e-mail leaves
the platform's protection (docs/contract.md section 10).
"""

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from cii_platform.contracts.references import human_reference

from ..domain import rules
from ..domain.people import LANGUAGES

PACKAGE = Path(__file__).resolve().parents[1]
LOCALE_DIR = PACKAGE / "locale"
TEMPLATES = PACKAGE / "templates"


def N_(message: str) -> str:
    return message


SUBJECTS = {
    rules.ANNOUNCEMENT_RECEIVED: N_("New announcement to triage"),
    rules.TRIAGE_DECIDED: N_("Triage decision on your announcement"),
    rules.MEASURE_SCHEDULED: N_("Invitation: %(measure)s on %(date)s"),
    rules.MEASURE_RESCHEDULED: N_("Moved: %(measure)s now on %(date)s"),
    rules.CONTRACT_DUE: N_("Case management: objectives contract to establish"),
    rules.SITUATION_CLOSED: N_("Situation closed"),
    rules.EXCHANGE_WAITING: N_("Exchange request waiting for your answer"),
    "ALERT": N_("Alert: %(alert)s"),
    "DIGEST": N_("Your daily CII digest (%(count)s)"),
}
MESSAGES = {
    rules.ANNOUNCEMENT_RECEIVED: N_("A new situation was announced by %(institution)s in the region "
                                    "%(region)s on %(announced_on)s. It is to be triaged by %(triage_due_on)s."),
    rules.TRIAGE_DECIDED: N_("The CII bureau has triaged the situation your institution announced: "
                             "%(decision)s."),
    rules.MEASURE_SCHEDULED: N_("You are invited to a %(measure)s on %(date)s. Participating institutions: "
                                "%(participants)s."),
    rules.MEASURE_RESCHEDULED: N_("The %(measure)s planned on %(previous_date)s is moved to %(date)s. "
                                  "Participating institutions: %(participants)s."),
    rules.CONTRACT_DUE: N_("A case management has started and you are its case manager or coordinator: the "
                           "objectives contract is to be established and signed."),
    rules.SITUATION_CLOSED: N_("The situation was closed on %(closed_on)s. Institutions of the network "
                               "informed: %(network)s."),
    rules.EXCHANGE_WAITING: N_("%(requester)s asks your institution for data on this situation (%(categories)s), "
                               "under the person's procuration. Please answer in your institution's system by "
                               "%(deadline)s."),
    "ALERT": N_("%(alert)s (due on %(due_on)s): action is needed on this situation."),
}
WORDS = {
    # triage decisions
    "ACCEPT_COMPLEX": N_("accepted as a complex situation"),
    "REDIRECT_NETWORK": N_("redirected to the CII network"),
    "REDIRECT_SIMPLE": N_("redirected as a simple situation"),
    "REJECT": N_("not accepted"),
    # measures
    "TRO": N_("round table (TRO)"),
    "ASSESSMENT": N_("assessment"),
    "COACHING_ORP_CMS": N_("ORP-CMS coaching"),
    "CASE_MANAGEMENT": N_("case management"),
    "MEDICAL_MANDATE": N_("medical mandate"),
    # alerts
    "CONTRACT_OVERDUE": N_("the objectives contract is overdue"),
    "NO_MEETING": N_("no meeting for more than two weeks"),
    "OBJECTIVE_OVERDUE": N_("an objective is overdue"),
    "REVIEW_DUE": N_("the quarterly review is due"),
    "PROCURATION_EXPIRING": N_("the procuration expires within 30 days"),
    "PROCURATION_EXPIRED": N_("the procuration has expired"),
    "PROCURATION_REVOKED": N_("the procuration was revoked"),
    # data categories of an exchange
    "IDENTITY": N_("identity"),
    "EMPLOYMENT": N_("employment"),
    "HEALTH": N_("health"),
    "FINANCE": N_("finances"),
    "EDUCATION": N_("education"),
    "SOCIAL": N_("social situation"),
    "RESIDENCE": N_("residence"),
    "JUSTICE": N_("justice"),
    # regions
    "HAUT_VALAIS": N_("Upper Valais"),
    "SIERRE": "Sierre",
    "SION": "Sion",
    "MARTIGNY": "Martigny",
    "MONTHEY": "Monthey",
    "PRIVATE": N_("a private person"),
    "BUREAU": N_("the CII bureau"),
}
DATE_FIELDS = ("date", "previous_date", "announced_on", "triage_due_on", "closed_on", "due_on", "designated_on",
               "deadline")


def load_translations(language: str) -> Translations:
    """The catalog messages.po of the language, compiled in memory (no .mo file to keep in step)."""
    with open(LOCALE_DIR / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


class Composer:
    def __init__(self, workspace_url: str) -> None:
        self._workspace_url = workspace_url.rstrip("/")
        self._translations = {language: load_translations(language) for language in LANGUAGES}
        self._environments = {}
        for language, translations in self._translations.items():
            environment = Environment(loader=FileSystemLoader(TEMPLATES), extensions=["jinja2.ext.i18n"],
                                      undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
            environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
            self._environments[language] = environment

    def link(self, situation_id: str) -> str:
        return f"{self._workspace_url}/situations/{situation_id}"

    def gettext(self, language: str) -> Callable[[str], str]:
        return self._translations[language].gettext

    def subject(self, kind: str, details: dict[str, Any], language: str, reference: str) -> str:
        _ = self.gettext(language)
        key = "ALERT" if kind.startswith(rules.ALERT_PREFIX) else kind
        title = _(SUBJECTS[key]) % self._words(details, language)
        return f"[CII] {title} — {reference}"

    def message(self, kind: str, details: dict[str, Any], language: str) -> str:
        _ = self.gettext(language)
        key = "ALERT" if kind.startswith(rules.ALERT_PREFIX) else kind
        return _(MESSAGES[key]) % self._words(details, language)

    def notice_text(self, kind: str, situation_id: str, details: dict[str, Any], language: str) -> str:
        template = self._environments[language].get_template("mail/notice.txt")
        return template.render(message=self.message(kind, details, language),
                               reference=human_reference(situation_id), link=self.link(situation_id),
                               invitation=kind in (rules.MEASURE_SCHEDULED, rules.MEASURE_RESCHEDULED))

    def digest_text(self, items: list[dict[str, Any]], language: str) -> str:
        template = self._environments[language].get_template("mail/digest.txt")
        lines = [{"message": self.message(i["kind"], i.get("details") or {}, language),
                  "reference": human_reference(i["situation_id"]), "link": self.link(i["situation_id"])}
                 for i in items]
        return template.render(items=lines)

    def digest_subject(self, count: int, language: str) -> str:
        return "[CII] " + self.gettext(language)(SUBJECTS["DIGEST"]) % {"count": count}

    def _words(self, details: dict[str, Any], language: str) -> dict[str, str]:
        """Every detail as words: codes translated, dates in the local format, lists joined."""
        _ = self.gettext(language)
        words: dict[str, str] = {}
        for name, value in details.items():
            if value is None:
                words[name] = "—"
            elif name in DATE_FIELDS:
                words[name] = format_date(date.fromisoformat(value), format="long", locale=language)
            elif isinstance(value, list):
                words[name] = ", ".join(_(WORDS[v]) if v in WORDS else str(v) for v in value) or "—"
            else:
                words[name] = _(WORDS[value]) if value in WORDS else str(value)
        words.setdefault("measure", words.get("measure_type", ""))
        words.setdefault("alert", words.get("alert", ""))
        return words
