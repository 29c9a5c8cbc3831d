"""The web layer's shared pieces: the session and the signed-in person, the language, CSRF, rendering."""

import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

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


def current_person(session: SessionDep) -> Person:
    """The one place the pages learn who acts: institution, roles, region or theme, and the token."""
    return session.person


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
    if request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES:
        return str(request.cookies[LANGUAGE_COOKIE])
    accept = request.headers.get("accept-language", "").lower()
    return "de" if accept.startswith("de") else language_or_default(accept[:2])


async def checked_form(request: Request, session: SessionDep) -> dict[str, Any]:
    """A posted form, after its CSRF token matched the session's (htmx sends it as a header)."""
    form = await request.form()
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
    if not isinstance(sent, str) or not secrets.compare_digest(sent, session.csrf_token):
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
        session_id = request.cookies.get(SESSION_COOKIE)
        workspace: Workspace = request.app.state.workspace
        session = workspace.sessions.get(session_id) if session_id else None
        html = self.env.get_template(name).render(
            request=request, person=session.person if session else None,
            csrf_token=session.csrf_token if session else "", lang=current_language.get(),
            path=request.url.path, dashboard_url=workspace.dashboard_url, **context)
        return HTMLResponse(html, status_code=status_code)


def renderer_of(request: Request) -> Renderer:
    renderer: Renderer = request.app.state.renderer
    return renderer


RendererDep = Annotated[Renderer, Depends(renderer_of)]


def field_errors(problem: ApiProblem) -> list[dict[str, Any]]:
    return [e for e in problem.errors if isinstance(e, dict)]
