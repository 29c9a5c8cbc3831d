"""Who may read reports, the dashboard and alerts: the CII bureau's staff (all of it aggregated, nothing personal)."""

from typing import Annotated

from fastapi import Depends

from cii_platform.contracts.codes import BUREAU, Role
from cii_platform.http import current_principal, forbidden
from cii_platform.security.tokens import Principal
from cii_platform.web.login import PageRefused, Person, SignedIn

READER_ROLES = (Role.REPORTING_READER, Role.CANTONAL_OFFICER, Role.SECRETARIAT, Role.COORDINATOR)


def is_reader(principal: Principal) -> bool:
    return principal.institution == BUREAU and principal.has_role(*READER_ROLES)


def ensure_reader(principal: Principal) -> Principal:
    if not is_reader(principal):
        raise forbidden("reports are for the CII bureau: roles reporting_reader, cantonal_officer, "
                        "secretariat or coordinator with a BUREAU token")
    return principal


def report_reader(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    return ensure_reader(principal)


def page_reader(person: SignedIn) -> Person:
    """The dashboard in a browser: the person signed in through the identity provider (no session: the login
    page), and of the bureau's readers (otherwise an HTML page saying so, in their language)."""
    if not is_reader(person.principal):
        raise PageRefused(
            "Le tableau de bord est réservé au bureau CII : responsable cantonal, coordinateurs, secrétariat "
            "et lecteurs des rapports.",
            "Das Dashboard ist dem IIZ-Büro vorbehalten: kantonale Verantwortliche, Koordination, Sekretariat "
            "und Leser der Berichte.")
    return person


ReportReader = Annotated[Principal, Depends(report_reader)]
PageReader = Annotated[Person, Depends(page_reader)]
