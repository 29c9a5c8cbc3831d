"""One realistic demo year in which the bureau works (issue 14, point 9).

    load_demo(DemoTarget(...), 2025)      # what `cii demo load` (and `make up` with CII_DEMO=1) runs

1. What institutions send, through Kafka (`cii.inbound.<code>`): procurations naming the bureau (a few
   expiring within a month, one revoked), announcements at about the 2024 report's volumes (80 adult
   complex situations, 462 young persons), transitions and caseload snapshots.
2. What only HTTP carries: private persons' announcements (recorded by the T1 platform).
3. What people decide, through HTTP as the bureau does: triage (most situations on time, a few left
   overdue; redirected and rejected ones close), the five measures through their lifecycle (TRO and
   assessments scheduled and held by the bureau, some concluding that nothing more is needed; coachings,
   case managements with objectives contracts and fortnightly meetings, medical mandates started and
   closed with reinsertion or not, a prefinancing), a few cancellations, manual closures and quarterly
   reviews.
4. It returns when the annual report counts every measure type and the dashboard shows the work.

Deterministic for a year and scale (the same plan every time); progress is printed while it loads.
"""

import asyncio
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from .clock import swiss_today
from .contracts import types
from .contracts.topics import inbound, topic_specs
from .messaging.topics_admin import ensure_topics
from .reference import load_reference_data
from .testing.generator import History, HistoryGenerator, inbound_events
from .testing.generator.events import signalement_submitted
from .testing.generator.history import Measure as PlannedMeasure
from .testing.generator.history import Procuration
from .testing.generator.history import Situation as PlannedSituation
from .testing.kafka_client import inbound_event

MEASURE_TYPES = ("TRO", "ASSESSMENT", "COACHING_ORP_CMS", "CASE_MANAGEMENT", "MEDICAL_MANDATE")
SESSIONS = ("TRO", "ASSESSMENT")
LEFT_UNTRIAGED_SHARE = 0.04  # a few announcements wait for triage past their due date
Token = Callable[..., str]  # token(institution, *roles) -> a bearer JWT
Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoTarget:
    """Where the platform runs and how the loader signs in (local tokens)."""

    kafka_bootstrap: str
    urls: dict[str, str]  # service name -> base URL
    token: Token


@dataclass
class DemoSummary:
    published: dict[str, int] = field(default_factory=dict)
    actions: Counter[str] = field(default_factory=Counter)
    report: dict[str, Any] = field(default_factory=dict)
    dashboard: dict[str, Any] = field(default_factory=dict)


def demo_history(year: int, *, scale: float = 1.0, today: date | None = None) -> History:
    """The year's announcements, procurations, transitions and caseloads (the same for a year and scale)."""
    today = today or swiss_today()
    generator = HistoryGenerator(seed=year, prefix=f"demo{year}", latest=min(date(year, 12, 31),
                                                                             today - timedelta(days=1)))
    history = generator.year(year, scale=scale)
    for procuration in history.procurations:  # the CII procuration names the bureau and the announcer
        procuration.parties = ["BUREAU", procuration.parties[-1]]
    return history


# -- 1. what institutions send through Kafka -----------------------------------------------------------

async def publish_demo_year(bootstrap: str, history: History, *, revoked: Procuration | None,
                            revoked_on: date) -> dict[str, int]:
    """Publish the institutions' events and return how many of each type were sent."""
    reference = load_reference_data()
    await ensure_topics(bootstrap, topic_specs(sorted(reference.institution_codes)))
    sent: Counter[str] = Counter()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=10)
    await producer.start()
    try:
        batch = []
        for topic, key, event in inbound_events(history):
            batch.append(await producer.send(topic, json.dumps(event).encode(), key=key.encode()))
            sent[event["type"]] += 1
        if revoked is not None:  # after its signature, on the same key: read in that order
            sender = revoked.parties[-1]
            event = inbound_event(sender, types.PROCURATION_REVOKED, {
                "procuration_id": revoked.procuration_id, "revoked_on": revoked_on.isoformat(),
                "reason": "La personne retire son consentement."})
            batch.append(await producer.send(inbound(sender), json.dumps(event).encode(),
                                             key=revoked.procuration_id.encode()))
            sent[event["type"]] += 1
        await asyncio.gather(*batch)
    finally:
        await producer.stop()
    return dict(sent)


# -- 2 and 3. what people do through HTTP --------------------------------------------------------------

class Bureau:
    """The bureau's people at work: an HTTP client per service, a few requests at a time."""

    def __init__(self, target: DemoTarget, progress: Progress, parallel: int = 6) -> None:
        self.progress = progress
        officer = {"Authorization": f"Bearer {target.token('BUREAU', 'cantonal_officer')}"}
        self.signalement = httpx.AsyncClient(base_url=target.urls["signalement"], headers=officer, timeout=60)
        self.measures = httpx.AsyncClient(base_url=target.urls["measures"], headers=officer, timeout=60)
        self.t1 = httpx.AsyncClient(base_url=target.urls["signalement"], timeout=60, headers={
            "Authorization": f"Bearer {target.token('T1', 'field_worker')}"})
        self.reporting = httpx.AsyncClient(base_url=target.urls["reporting"], timeout=60, headers={
            "Authorization": f"Bearer {target.token('BUREAU', 'reporting_reader')}"})
        self._gate = asyncio.Semaphore(parallel)
        self.late_contracts: set[str] = set()
        self.actions: Counter[str] = Counter()

    async def close(self) -> None:
        for client in (self.signalement, self.measures, self.t1, self.reporting):
            await client.aclose()

    async def send(self, client: httpx.AsyncClient, path: str, body: dict[str, Any], action: str,
                   *, retry_for: float = 60.0) -> dict[str, Any] | None:
        """POST; a 422 on a situation the service has not learnt yet (or a 5xx) is retried a while."""
        deadline = time.monotonic() + retry_for
        while True:
            async with self._gate:
                try:
                    response = await client.post(path, json=body)
                except httpx.TransportError:
                    response = None
            if response is not None and response.status_code < 300:
                self.actions[action] += 1
                answer: dict[str, Any] = response.json()
                return answer
            retriable = response is None or response.status_code >= 500 or (
                response.status_code == 422 and "no such situation" in response.text)
            if not retriable or time.monotonic() > deadline:
                detail = "no answer" if response is None else f"{response.status_code} {response.text[:200]}"
                self.actions[f"{action} refused"] += 1
                self.progress(f"demo: {action} {path}: {detail}")
                return None
            await asyncio.sleep(1.0)


async def situations_by_ref(bureau: Bureau, expected: int, progress: Progress,
                            timeout: float = 600.0) -> dict[str, str]:
    """external_ref -> situation id, once the signalement service has applied the announcements."""
    deadline, shown = time.monotonic() + timeout, -1
    while True:
        found: dict[str, str] = {}
        offset = 0
        while True:
            page = (await bureau.signalement.get("/api/v1/signalements",
                                                 params={"limit": 500, "offset": offset})).json()
            found.update({item["external_ref"]: item["id"] for item in page["items"]})
            offset += 500
            if offset >= page["total"]:
                break
        if len(found) != shown:
            progress(f"demo: {len(found)}/{expected} announcements recorded")
            shown = len(found)
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        await asyncio.sleep(2.0)


async def announce_private_persons(bureau: Bureau, history: History) -> None:
    """Private persons' announcements exist only over HTTP (docs/contract.md 5): the T1 platform records them."""
    private = [s for s in history.situations if s.institution == "PRIVATE"]
    for situation in private:
        body = signalement_submitted(situation)
        body["announcer"] = {**body["announcer"], "private_person": True}
        body["public"] = "YOUNG"
        await bureau.send(bureau.t1, "/api/v1/signalements", body, "private announcement recorded")


@dataclass
class Plan:
    """Who the bureau decides what for, fixed before any call so that the year is the same every time."""

    untriaged: set[str] = field(default_factory=set)
    measures: dict[str, list[PlannedMeasure]] = field(default_factory=lambda: defaultdict(list))
    closed_by_hand: list[PlannedSituation] = field(default_factory=list)
    reviewed: list[PlannedSituation] = field(default_factory=list)
    expiring: list[Procuration] = field(default_factory=list)
    revoked: Procuration | None = None
    late_contracts: set[str] = field(default_factory=set)  # case managements whose contract is overdue


def plan_year(history: History, year: int, today: date, rng: random.Random) -> Plan:
    plan = Plan()
    year_end = min(date(year, 12, 31), today)
    for situation in history.situations:
        if rng.random() < LEFT_UNTRIAGED_SHARE:
            plan.untriaged.add(situation.situation_id)
    if not plan.untriaged:  # at least one overdue triage on the dashboard
        plan.untriaged.add(next(s.situation_id for s in history.situations if s.situation_type != "COMPLEX"))
    complex_ones = [s for s in history.situations if s.triage_decision == "ACCEPT_COMPLEX"
                    and s.situation_id not in plan.untriaged]
    complex_ids = {s.situation_id for s in complex_ones}
    for measure in sorted(history.measures, key=lambda m: m.requested_on):
        if measure.situation.situation_id in complex_ids:
            plan.measures[measure.situation.situation_id].append(measure)
    _every_type_done_in_the_year(plan, complex_ones, year_end, rng)
    started = [m for ms in plan.measures.values() for m in ms if m.type == "CASE_MANAGEMENT" and m.started_on]
    plan.late_contracts = {m.measure_id for index, m in enumerate(started) if index == 0 or rng.random() < 0.25}
    for measure in started:
        if measure.measure_id in plan.late_contracts:
            measure.closed_on = None  # still running without its contract: CONTRACT_OVERDUE on the dashboard
    without_measures = [s for s in complex_ones if s.situation_id not in plan.measures]
    rng.shuffle(without_measures)
    plan.closed_by_hand = without_measures[:max(2, len(without_measures) // 12)]
    still_open = without_measures[len(plan.closed_by_hand):]
    plan.reviewed = still_open[: max(1, len(still_open) // 3)]
    followed = {s.situation_id for s in still_open}
    procurations = [p for p in history.procurations
                    if any(s.procuration_id == p.procuration_id and s.situation_id in followed
                           for s in history.situations)]
    for procuration in procurations[:1]:  # not renewed in time: the dashboard shows it expired
        procuration.valid_until = max(today - timedelta(days=20), procuration.valid_from + timedelta(days=1))
    for offset, procuration in zip((6, 12, 19, 26), procurations[1:5], strict=False):
        procuration.valid_until = max(today + timedelta(days=offset), procuration.valid_from + timedelta(days=1))
        plan.expiring.append(procuration)
    plan.revoked = procurations[5] if len(procurations) > 5 else None
    return plan


def _counted_in(measure: PlannedMeasure, year_end: date) -> bool:
    done_on = measure.held_on or measure.started_on
    return done_on is not None and done_on.year == year_end.year and done_on <= year_end


def _every_type_done_in_the_year(plan: Plan, complex_ones: list[PlannedSituation], year_end: date,
                                 rng: random.Random) -> None:
    """Every figure of the annual report has data: at least one measure of each type counted in the year,
    two case managements (one without its contract in time), a coaching closed in the year."""
    planned = [m for measures in plan.measures.values() for m in measures]
    for measure_type in MEASURE_TYPES:
        of_type = [m for m in planned if m.type == measure_type]
        wanted = 2 if measure_type == "CASE_MANAGEMENT" else 1
        for index in range(wanted - len(of_type)):
            situation = complex_ones[(index * 7 + len(planned)) % len(complex_ones)]
            added = PlannedMeasure(f"{situation.situation_id}-{measure_type.lower()}-{index}", situation,
                                   measure_type, situation.announced_on)
            plan.measures[situation.situation_id].append(added)
            of_type.append(added)
        done = sum(1 for m in of_type if _counted_in(m, year_end))
        for first in [m for m in of_type if not _counted_in(m, year_end)][:max(0, wanted - done)]:
            day = min(first.requested_on + timedelta(days=10), year_end)
            first.requested_on = min(first.requested_on, day)
            if measure_type in SESSIONS:
                first.held_on = day
            else:
                first.started_on, first.closed_on = day, None
    coachings = [m for m in planned if m.type == "COACHING_ORP_CMS" and m.started_on]
    if coachings and not any(m.closed_on and m.closed_on <= year_end for m in coachings):
        first = coachings[0]
        assert first.started_on is not None
        first.closed_on, first.reinsertion = min(first.started_on + timedelta(days=45), year_end), True
    for measures in plan.measures.values():
        measures.sort(key=lambda m: m.requested_on)


async def triage_all(bureau: Bureau, history: History, ids: dict[str, str], plan: Plan,
                     progress: Progress) -> None:
    todo = [s for s in history.situations if s.situation_id not in plan.untriaged and s.external_ref in ids]

    async def triage(situation: PlannedSituation) -> None:
        decision = situation.triage_decision or "ACCEPT_COMPLEX"
        body: dict[str, Any] = {"decision": decision}
        if decision == "REJECT":
            body["reason"] = "Hors du champ de la CII complexe."
        await bureau.send(bureau.signalement, f"/api/v1/signalements/{ids[situation.external_ref]}/triage",
                          body, f"triaged {decision}")
    for start in range(0, len(todo), 50):
        await asyncio.gather(*(triage(s) for s in todo[start:start + 50]))
        progress(f"demo: triaged {min(start + 50, len(todo))}/{len(todo)} situations "
                 f"({len(plan.untriaged)} left waiting for triage)")


async def work_on_situation(bureau: Bureau, situation_id: str, situation: PlannedSituation,
                            measures: list[PlannedMeasure], today: date, rng: random.Random) -> None:
    """Request every measure first (nothing closes before all are known), then hold, start and close."""
    requested_by = situation.institution if situation.institution != "PRIVATE" else "T1"
    ids: list[tuple[PlannedMeasure, str]] = []
    for measure in measures:
        created = await bureau.send(bureau.measures, "/api/v1/measures", {
            "situation_id": situation_id, "type": measure.type, "requested_on": measure.requested_on.isoformat(),
            "requested_by": requested_by}, f"{measure.type} requested")
        if created:
            ids.append((measure, str(created["id"])))
    alone = len(ids) == 1
    for measure, measure_id in ids:
        await advance_measure(bureau, measure, measure_id, requested_by, today, rng, alone=alone)


async def advance_measure(bureau: Bureau, measure: PlannedMeasure, measure_id: str, institution: str,
                          today: date, rng: random.Random, *, alone: bool) -> None:
    path = f"/api/v1/measures/{measure_id}"
    done_on = measure.held_on or measure.started_on
    if done_on is None or done_on > today:
        if rng.random() < 0.35:  # it will not take place
            cancelled_on = min(measure.requested_on + timedelta(days=rng.randint(3, 20)), today)
            await bureau.send(bureau.measures, f"{path}/cancel", {
                "cancelled_on": cancelled_on.isoformat(), "reason": rng.choice(
                    ["PERSON_DECLINED", "PERSON_UNREACHABLE", "TAKEN_OVER_BY_A_PARTNER"])},
                f"{measure.type} cancelled")
        return
    if measure.type in SESSIONS:
        participants = [{"institution": institution}, {"institution": "CMS" if institution != "CMS" else "ORP"}]
        if measure.type == "ASSESSMENT":
            participants.append({"institution": "SMR", "role": "médecin"})
        await bureau.send(bureau.measures, f"{path}/schedule", {
            "date": done_on.isoformat(), "participants": participants}, f"{measure.type} scheduled")
        outcome: dict[str, Any] = {}
        draw = rng.random()
        if alone and draw < 0.4:
            outcome = {"no_further_measure": True}
        elif measure.type == "TRO" and draw > 0.85:
            outcome = {"recommended_measure": "CASE_MANAGEMENT"}
        held = await bureau.send(bureau.measures, f"{path}/hold", {"held_on": done_on.isoformat(),
                                                                   "outcome": outcome or None},
                                 f"{measure.type} held")
        if held and held.get("follow_up_measure_id"):
            follow_up = PlannedMeasure(held["follow_up_measure_id"], measure.situation, "CASE_MANAGEMENT",
                                       done_on, started_on=min(done_on + timedelta(days=7), today))
            await advance_measure(bureau, follow_up, held["follow_up_measure_id"], institution, today, rng,
                                  alone=False)
        return
    await start_and_close(bureau, measure, path, institution, done_on, today, rng)


async def start_and_close(bureau: Bureau, measure: PlannedMeasure, path: str, institution: str, started_on: date,
                          today: date, rng: random.Random) -> None:
    body: dict[str, Any] = {"started_on": started_on.isoformat()}
    if measure.type == "CASE_MANAGEMENT":
        body["case_manager"] = {"institution": institution, "subject": f"cm-{institution.lower()}-demo",
                                "name": "Répondant·e CII"}
    if measure.type == "MEDICAL_MANDATE" and rng.random() < 0.5:  # the Commission droit prefinances
        await bureau.send(bureau.measures, f"{path}/prefinancing", {
            "decision": "PREFINANCED", "decided_on": measure.requested_on.isoformat()}, "prefinancing decided")
    if not await bureau.send(bureau.measures, f"{path}/start", body, f"{measure.type} started"):
        return
    end = min(measure.closed_on or today, today)
    if measure.type == "CASE_MANAGEMENT" and measure.measure_id not in bureau.late_contracts:
        await follow_case(bureau, path, institution, started_on, end, rng)
    if measure.closed_on and measure.closed_on <= today:
        await bureau.send(bureau.measures, f"{path}/close", {
            "closed_on": measure.closed_on.isoformat(), "reinsertion": bool(measure.reinsertion),
            "final_report": "Rapport final de la mesure."}, f"{measure.type} closed with its letter")


async def follow_case(bureau: Bureau, path: str, institution: str, started_on: date, end: date,
                      rng: random.Random) -> None:
    """Seed 001 section 6: the objectives contract within two weeks, then a meeting about every two weeks."""
    signed_on = min(started_on + timedelta(days=rng.randint(5, 13)), end)
    await bureau.send(bureau.measures, f"{path}/contract", {"signed_on": signed_on.isoformat(), "objectives": [
        {"responsible_institution": institution, "deadline": (signed_on + timedelta(days=90)).isoformat(),
         "text": "Reprendre une activité à temps partiel."},
        {"responsible_institution": "CMS", "deadline": (signed_on + timedelta(days=60)).isoformat(),
         "text": "Stabiliser la situation financière."}]}, "objectives contract signed")
    meeting = signed_on
    for _ in range(8):
        meeting += timedelta(days=rng.randint(12, 16))
        if meeting > end:
            break
        await bureau.send(bureau.measures, f"{path}/meetings", {"held_on": meeting.isoformat(),
                                                                "minutes": "Point de situation."},
                          "case meeting logged")


async def close_and_review(bureau: Bureau, ids: dict[str, str], plan: Plan, today: date,
                           rng: random.Random) -> None:
    for situation in plan.closed_by_hand:
        closed_on = min(situation.announced_on + timedelta(days=rng.randint(40, 120)), today)
        await bureau.send(bureau.measures, f"/api/v1/situations/{ids[situation.external_ref]}/closure", {
            "closed_on": closed_on.isoformat(), "reason": rng.choice(["OBJECTIVES_REACHED", "PERSON_MOVED_AWAY"])},
            "situation closed by the coordinator")
    for situation in plan.reviewed:  # triage was recorded today: so is the first quarterly review
        reviewed_on = today
        await bureau.send(bureau.measures, f"/api/v1/situations/{ids[situation.external_ref]}/reviews", {
            "reviewed_on": reviewed_on.isoformat()}, "quarterly review")


# -- 4. until the data are visible ---------------------------------------------------------------------

def missing_figures(report: dict[str, Any], board: dict[str, Any], *,
                    overdue_at_most: int | None = None) -> list[str]:
    """What the report or the dashboard does not show yet (empty: the demo is visible). With
    `overdue_at_most` (the announcements left untriaged on purpose), the dashboard counts as visible only
    once reporting has applied the bureau's triages, not while every announcement still looks overdue."""
    missing = [f"measures.{t}" for t in MEASURE_TYPES if not report.get("measures", {}).get(t)]
    missing += [name for name in ("adult_complex", "young", "closures")
                if not report.get(name, {}).get("total")]
    if not report.get("transitions"):
        missing.append("transitions")
    if not report.get("simultaneous_follow_up", {}).get("persons_total"):
        missing.append("simultaneous_follow_up")
    tiles = {"open_situations": board.get("open_situations", {}).get("total"),
             "triage_overdue": board.get("triage_overdue"), "contracts_overdue": board.get("contracts_overdue"),
             "procurations_expiring": board.get("procurations_expiring"),
             "procurations_expired": board.get("procurations_expired"),
             "measures_running": sum(board.get("measures_running", {}).values()),
             "situations_closed": board.get("situations_closed", {}).get("total")}
    missing += [f"dashboard.{name}" for name, value in tiles.items() if not value]
    overdue = board.get("triage_overdue") or 0
    if overdue_at_most is not None and overdue > overdue_at_most:
        missing.append(f"dashboard.triage_overdue ({overdue} > {overdue_at_most}: triages not applied yet)")
    return missing


async def wait_until_visible(bureau: Bureau, year: int, progress: Progress, timeout: float,
                             overdue_at_most: int) -> tuple[dict[str, Any], dict[str, Any]]:
    deadline, last = time.monotonic() + timeout, None
    while True:
        report = (await bureau.reporting.get(f"/api/v1/reports/annual/{year}")).json()
        board = (await bureau.reporting.get("/api/v1/dashboard")).json()
        missing = missing_figures(report, board, overdue_at_most=overdue_at_most)
        if not missing or time.monotonic() > deadline:
            if missing:
                progress(f"demo: still without data after {timeout:.0f} s: {', '.join(missing)}")
            return report, board
        if missing != last:
            progress(f"demo: waiting for the report and the dashboard: {', '.join(missing)}")
            last = missing
        await asyncio.sleep(2.0)


async def load_demo(target: DemoTarget, year: int, *, scale: float = 1.0, today: date | None = None,
                    progress: Progress = print, visible_timeout: float = 300.0) -> DemoSummary:
    today = today or swiss_today()
    rng = random.Random(year)
    history = demo_history(year, scale=scale, today=today)
    plan = plan_year(history, year, today, rng)
    summary = DemoSummary()
    progress(f"demo {year}: publishing {len(history.procurations)} procurations, {len(history.situations)} "
             f"announcements, {len(history.transitions)} transitions and {len(history.caseloads)} caseloads "
             "through Kafka")
    revoked_on = min(today, (plan.revoked.valid_from + timedelta(days=60)) if plan.revoked else today)
    summary.published = await publish_demo_year(target.kafka_bootstrap, history, revoked=plan.revoked,
                                                revoked_on=revoked_on)
    bureau = Bureau(target, progress)
    bureau.late_contracts = plan.late_contracts
    try:
        await announce_private_persons(bureau, history)
        ids = await situations_by_ref(bureau, len(history.situations), progress)
        await triage_all(bureau, history, ids, plan, progress)
        situations = {s.situation_id: s for s in history.situations}
        todo = [(sid, measures) for sid, measures in plan.measures.items() if situations[sid].external_ref in ids]
        for start in range(0, len(todo), 10):
            await asyncio.gather(*(work_on_situation(bureau, ids[situations[sid].external_ref], situations[sid],
                                                     measures, today, random.Random(f"{year}:{sid}"))
                                   for sid, measures in todo[start:start + 10]))
            progress(f"demo: measures of {min(start + 10, len(todo))}/{len(todo)} situations under way")
        await close_and_review(bureau, ids, plan, today, rng)
        summary.actions = bureau.actions
        progress("demo: " + ", ".join(f"{count} {action}" for action, count in sorted(bureau.actions.items())))
        summary.report, summary.dashboard = await wait_until_visible(bureau, year, progress, visible_timeout,
                                                                     overdue_at_most=len(plan.untriaged))
    finally:
        await bureau.close()
    return summary


def load_demo_year(target: DemoTarget, year: int, *, scale: float = 1.0) -> DemoSummary:
    """Synchronous entry point for the CLI."""
    return asyncio.run(load_demo(target, year, scale=scale))
