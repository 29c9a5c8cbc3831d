"""The bureau's figures in the workspace: the dashboard (reporting's, aggregated, nothing personal) with its
alerts paged and filtered (a coordinator starts on their own region: the regional view), and the annual
report with its exports, fetched from reporting with the person's own token (reporting decides who reads)."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from ...domain.words import CODE_LABELS
from ...service_layer.ports import ApiProblem
from .web import CurrentPerson, RendererDep, WorkspaceDep

router = APIRouter(include_in_schema=False)
PAGE = 25
EXPORTS = ("csv", "xlsx", "html", "pdf")
FIRST_YEAR = 2000


def filtered_alerts(alerts: list[dict[str, Any]], region: str, kind: str) -> list[dict[str, Any]]:
    """The chosen region's and kind's alerts, the most overdue first."""
    found = [a for a in alerts if (not region or a.get("region") == region) and (not kind or a.get("kind") == kind)]
    return sorted(found, key=lambda a: (a.get("due_on") or "9999-12-31", a.get("kind") or "", a["alert_id"]))


@router.get("/report")
async def report(request: Request, person: CurrentPerson, workspace: WorkspaceDep, renderer: RendererDep,
                 region: str | None = None, kind: str = "", offset: int = 0) -> Response:
    if not person.reads_reports:
        return renderer.render(request, "error.html", 403, reason="role")
    board = await workspace.reporting.dashboard(person.access_token)
    chosen = (person.region or "") if region is None else region  # a coordinator's region first
    found = filtered_alerts(board.get("alerts") or [], chosen, kind)
    offset = max(offset, 0)
    regions = sorted({r for by_region in board["open_situations"]["by_state_region"].values() for r in by_region}
                     | set(CODE_LABELS["region"]))
    this_year = date.today().year
    return renderer.render(request, "report.html", board=board, alerts=found[offset:offset + PAGE],
                           total=len(found), offset=offset, limit=PAGE, region=chosen, kind=kind,
                           regions=regions, kinds=sorted({a["kind"] for a in board.get("alerts") or []}),
                           years=list(range(this_year, this_year - 6, -1)), year=this_year - 1, exports=EXPORTS)


@router.get("/report/annual/{year}.{extension}")
async def annual_report(request: Request, year: int, extension: str, person: CurrentPerson,
                        workspace: WorkspaceDep, renderer: RendererDep) -> Response:
    """The annual report's file, passed on as reporting makes it (the workspace keeps no copy)."""
    if not person.reads_reports:
        return renderer.render(request, "error.html", 403, reason="role")
    if extension not in EXPORTS or not FIRST_YEAR <= year <= date.today().year:
        raise ApiProblem(404, "Not Found", "no such report")
    content, media_type, disposition = await workspace.reporting.annual_report(person.access_token, year, extension)
    headers = {"Content-Disposition": disposition} if disposition else {}
    return Response(content, media_type=media_type, headers=headers)
