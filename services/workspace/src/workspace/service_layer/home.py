"""The home page's content for one person: what needs them today, from the services' open lists."""

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

from ..bootstrap import Workspace
from ..domain.person import Person
from ..domain.today import Task, alert_tasks, needs_me_today, triage_inbox_order, triage_tasks
from .ports import ApiProblem, Json

AVS_PATTERN = re.compile(r"^756[.\s]?\d{4}[.\s]?\d{4}[.\s]?\d{2}$")


@dataclass
class Home:
    tasks: list[Task] = field(default_factory=list)
    announcements: list[Json] = field(default_factory=list)
    inbox: Json | None = None
    unavailable: list[str] = field(default_factory=list)  # services that did not answer: said, not hidden


async def home_of(workspace: Workspace, person: Person) -> Home:
    home = Home()
    token = person.access_token
    jobs: dict[str, Any] = {}
    if person.is_coordinator:
        jobs["triage"] = workspace.signalement.list_situations(token, status="SUBMITTED", limit=500)
    if person.is_coordinator or person.is_case_manager:
        jobs["alerts"] = workspace.measures.alerts(token)
    if person.announces and person.institution != "BUREAU":
        jobs["announcements"] = workspace.signalement.list_situations(token, institution=person.institution,
                                                                      limit=10)
    jobs["inbox"] = workspace.inbox.inbox(token, unread=True, limit=10)
    results = await asyncio.gather(*jobs.values(), return_exceptions=True)
    answers = dict(zip(jobs, results, strict=True))
    for name, answer in answers.items():
        if isinstance(answer, ApiProblem):
            home.unavailable.append(name)
        elif isinstance(answer, BaseException):
            raise answer
    found: dict[str, Json] = {name: answer for name, answer in answers.items() if isinstance(answer, dict)}
    tasks: list[Task] = []
    if "triage" in found:
        tasks += triage_tasks(triage_inbox_order(found["triage"]["items"]))
    if "alerts" in found:
        tasks += alert_tasks(found["alerts"]["items"])
    home.tasks = needs_me_today(tasks)
    home.announcements = found.get("announcements", {}).get("items", [])
    home.inbox = found.get("inbox")
    return home


def search_filters(query: str) -> dict[str, str]:
    """An AVS number searches through the pseudonym (the signalement service computes it); anything else
    is an announcement reference."""
    text = query.strip()
    if AVS_PATTERN.match(text):
        digits = re.sub(r"\D", "", text)
        return {"avs_number": f"{digits[:3]}.{digits[3:7]}.{digits[7:11]}.{digits[11:]}"}
    return {"reference": text}
