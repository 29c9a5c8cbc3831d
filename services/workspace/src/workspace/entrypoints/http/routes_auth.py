"""Sign-in and sign-out. Locally the demo users sign in here (their tokens minted from the local key);
the identity provider's login (issue 15) takes this module's place behind the same session."""

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from ...adapters.local_sign_in import UnknownUser
from ...domain.words import N_
from .web import SESSION_COOKIE, RendererDep, WorkspaceDep

router = APIRouter(include_in_schema=False)
DEMO_PASSWORD = "cii-demo"  # docs/contract.md section 9: the local demo users' password


def safe_next(next_url: str | None) -> str:
    """Only a path of this site: never an open redirect."""
    if not next_url or not next_url.startswith("/") or next_url.startswith("//") or urlparse(next_url).netloc:
        return "/"
    return next_url


@router.get("/signin")
async def sign_in_page(request: Request, renderer: RendererDep, workspace: WorkspaceDep,
                       next: str | None = None) -> Response:
    if workspace.sign_in is None:
        return renderer.render(request, "error.html", 503, reason="no_sign_in")
    return renderer.render(request, "signin.html", users=workspace.sign_in.demo_users(), next=safe_next(next),
                           errors=[], values={})


@router.post("/signin")
async def sign_in(request: Request, renderer: RendererDep, workspace: WorkspaceDep,
                  username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                  next: Annotated[str, Form()] = "/") -> Response:
    if workspace.sign_in is None:
        return renderer.render(request, "error.html", 503, reason="no_sign_in")
    errors = []
    if not username.strip():
        errors.append({"field": "username", "message": N_("Enter your user name")})
    if not password:
        errors.append({"field": "password", "message": N_("Enter your password")})
    person = None
    if not errors:
        try:
            person = workspace.sign_in.sign_in(username.strip()) if password == DEMO_PASSWORD else None
        except UnknownUser:
            person = None
        if person is None:
            errors.append({"field": "username", "message": N_("The user name or the password is not right")})
    if errors or person is None:
        return renderer.render(request, "signin.html", 422, users=workspace.sign_in.demo_users(),
                               next=safe_next(next), errors=errors, values={"username": username})
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, workspace.sessions.create(person), httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", max_age=workspace.settings.session_minutes * 60)
    return response


@router.get("/logout")
async def logout(request: Request, workspace: WorkspaceDep) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        workspace.sessions.drop(session_id)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
