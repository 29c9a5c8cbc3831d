"""The web layer's shared pieces: the session and the signed-in person, the language, CSRF, rendering."""

import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from cii_platform.web.login import csrf_token as login_csrf_token
from cii_platform.web.login import signed_in

from ...bootstrap import Workspace
from ...domain.dates import swiss_date, swiss_datetime
from ...domain.person import LANGUAGES, Person, language_or_default
from ...domain.words import label_of
from ...service_layer.ports import ApiProblem, Session
from .i18n import Catalogs, current_language

SESSION_COOKIE = "cii_workspace_session"
LANGUAGE_COOKIE = "cii_workspace_lang"
TEMPLATES = Path(__file__).parent / "templates"


class SignInRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


class CsrfRefused(Exception):
    pass


def workspace_of(request: Request) -> Workspace:
    workspace: Workspace = request.app.state.workspace
    return workspace


WorkspaceDep = Annotated[Workspace, Depends(workspace_of)]


def current_session(request: Request, workspace: WorkspaceDep) -> Session:
    session_id = request.cookies.get(SESSION_COOKIE)
    session = workspace.sessions.get(session_id) if session_id else None
    if session is None:
        raise SignInRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return session


SessionDep = Annotated[Session, Depends(current_session)]


async def current_person(request: Request, workspace: WorkspaceDep) -> Person:
    """The one place the pages learn who acts: institution, roles, region or theme, and the token. Signed in
    through the identity provider (cii_platform.web.login), or locally (WORKSPACE_LOCAL_SIGN_IN)."""
    if workspace.sign_in is None:
        signed = await signed_in(request)
        principal = signed.principal
        person = Person(subject=principal.subject, display_name=signed.name or signed.username,
                        institution=principal.institution, roles=principal.roles, access_token=signed.access_token,
                        region=principal.region, theme=principal.theme)
        request.state.csrf = login_csrf_token(request)
    else:
        session = current_session(request, workspace)
        person, request.state.csrf = session.person, session.csrf_token
    request.state.person = person
    return person


CurrentPerson = Annotated[Person, Depends(current_person)]


def chosen_language(request: Request, workspace: Workspace) -> str:
    """?lang= first (remembered by the caller), then the session's, the cookie's, the browser's."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return str(asked)
    session_id = request.cookies.get(SESSION_COOKIE)
    session = workspace.sessions.get(session_id) if session_id else None
    if session and session.language:
        return session.language
    remembered = (request.scope.get("session") or {}).get("lang")  # the identity provider's sign-in session
    if remembered in LANGUAGES:
        return str(remembered)
    if request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES:
        return str(request.cookies[LANGUAGE_COOKIE])
    accept = request.headers.get("accept-language", "").lower()
    return "de" if accept.startswith("de") else language_or_default(accept[:2])


async def checked_form(request: Request, person: CurrentPerson) -> dict[str, Any]:
    """A posted form, after its CSRF token matched the session's (htmx sends it as a header)."""
    form = await request.form()
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
    if not isinstance(sent, str) or not secrets.compare_digest(sent, request.state.csrf):
        raise CsrfRefused()
    data: dict[str, Any] = {}
    for key in form:
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        data[key] = values if len(values) > 1 or key.endswith("[]") else (values[0] if values else "")
    return data


FormData = Annotated[dict[str, Any], Depends(checked_form)]


class Renderer:
    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                               extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
        self.env.install_gettext_callables(catalogs.gettext, catalogs.ngettext, newstyle=True)  # type: ignore[attr-defined]
        self.env.filters.update(words=self.words, swiss_date=swiss_date, swiss_datetime=swiss_datetime,
                                urlquote=quote)

    def words(self, code: object, kind: str) -> str:
        return self.catalogs.gettext(label_of(kind, code)) if code not in (None, "") else ""

    def render(self, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        workspace: Workspace = request.app.state.workspace
        html = self.env.get_template(name).render(
            request=request, person=getattr(request.state, "person", None),
            csrf_token=getattr(request.state, "csrf", ""), lang=current_language.get(),
            path=request.url.path, dashboard_url=workspace.dashboard_url, **context)
        return HTMLResponse(html, status_code=status_code)


def renderer_of(request: Request) -> Renderer:
    renderer: Renderer = request.app.state.renderer
    return renderer


RendererDep = Annotated[Renderer, Depends(renderer_of)]


def field_errors(problem: ApiProblem) -> list[dict[str, Any]]:
    return [e for e in problem.errors if isinstance(e, dict)]
