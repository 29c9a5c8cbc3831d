"""Everyone's home page ("what needs me today") and the search by AVS number or reference."""

from datetime import date

from fastapi import APIRouter, Request, Response

from ...domain.words import N_
from ...service_layer.home import home_of, search_filters
from ...service_layer.ports import ApiProblem
from .web import CurrentPerson, RendererDep, WorkspaceDep, field_errors

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request, person: CurrentPerson, workspace: WorkspaceDep, renderer: RendererDep) -> Response:
    content = await home_of(workspace, person)
    return renderer.render(request, "home.html", home=content, today=date.today())


@router.get("/search")
async def search(request: Request, person: CurrentPerson, workspace: WorkspaceDep, renderer: RendererDep,
                 q: str = "") -> Response:
    if not q.strip():
        return renderer.render(request, "search.html", 422, q=q, results=None,
                               errors=[{"field": "q", "message": N_("Enter an AVS number or a reference")}])
    filters = search_filters(q)
    try:
        found = await workspace.signalement.list_situations(person.access_token, limit=50, **filters)
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return renderer.render(request, "search.html", 422, q=q, results=None,
                               errors=[{"field": "q", "message": N_("This AVS number is not valid")}],
                               api_errors=field_errors(problem))
    return renderer.render(request, "search.html", q=q, results=found["items"], errors=[])
