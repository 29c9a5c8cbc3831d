"""Who may read reports, the dashboard and alerts: the CII bureau's staff (all of it aggregated, nothing personal)."""

from typing import Annotated

from fastapi import Depends, Request

from cii_platform.contracts.codes import BUREAU, Role
from cii_platform.http import ProblemError, current_principal, forbidden
from cii_platform.security.tokens import InvalidTokenError, Principal, TokenVerifier

READER_ROLES = (Role.REPORTING_READER, Role.CANTONAL_OFFICER, Role.SECRETARIAT, Role.COORDINATOR)


def ensure_reader(principal: Principal) -> Principal:
    if principal.institution != BUREAU or not principal.has_role(*READER_ROLES):
        raise forbidden("reports are for the CII bureau: roles reporting_reader, cantonal_officer, "
                        "secretariat or coordinator with a BUREAU token")
    return principal


def report_reader(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    return ensure_reader(principal)


def page_reader(request: Request) -> Principal:
    """The dashboard is opened in a browser: a bearer header, or `?access_token=` once (then a cookie)."""
    token = _bearer(request) or request.query_params.get("access_token") or request.cookies.get("cii_token")
    if not token:
        raise ProblemError(401, "Unauthorized", "a token is required: open /?access_token=<token from "
                                                "`cii token --institution BUREAU --role reporting_reader`>")
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return ensure_reader(verifier.verify(token))
    except InvalidTokenError as exc:
        raise ProblemError(401, "Unauthorized", f"invalid token: {exc}") from exc


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:] if header.lower().startswith("bearer ") else None


ReportReader = Annotated[Principal, Depends(report_reader)]
PageReader = Annotated[Principal, Depends(page_reader)]
