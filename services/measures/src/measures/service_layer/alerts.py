"""Raising and clearing alerts: time-based ones from the measures, procuration ones from its events."""

from collections.abc import Callable
from datetime import date
from typing import Any

from cii_platform.clock import Clock
from cii_platform.contracts import internal_measures as events
from cii_platform.store import Document

from ..domain.alerts import MEETING_EVERY_DAYS, PROCURATION_ALERT_KINDS, AlertSpec, expected_alerts, situation_alert_id
from ..domain.model import Measure, MeasureStatus, MeasureType
from ..domain.situation import Situation, themes_of
from .event_builders import entry
from .ports import AlertRepository, MeasureRepository, SituationRepository


class AlertService:
    def __init__(self, alerts: AlertRepository, measures: MeasureRepository, clock: Clock,
                 notify: Callable[[], None], *, meeting_every_days: int = MEETING_EVERY_DAYS,
                 situations: SituationRepository | None = None) -> None:
        self.meeting_every_days = meeting_every_days
        self.situations = situations
        self.alerts = alerts
        self.measures = measures
        self.clock = clock
        self.notify = notify

    async def reconcile_measure(self, measure: Measure) -> None:
        wanted = {spec.alert_id: spec for spec in expected_alerts(measure, self.clock.today(),
                                                                     meeting_every_days=self.meeting_every_days)}
        active = {d["_id"]: d for d in await self.alerts.active({"measure_id": measure.id})}
        for alert_id, spec in wanted.items():
            if alert_id not in active:
                await self._raise(spec, self._measure_context(measure))
        for alert_id in active.keys() - wanted.keys():
            await self._clear(active[alert_id], "condition no longer holds")

    async def scan(self) -> None:
        """Periodic: deadlines pass while nobody acts, so time-based alerts are recomputed."""
        running = await self.measures.running_case_managements()
        for measure in running:
            await self.reconcile_measure(measure)
        running_ids = {m.id for m in running}
        for document in await self.alerts.active({"measure_id": {"$ne": None}}):
            if document["measure_id"] not in running_ids:
                finished = await self.measures.get(document["measure_id"])
                if finished is not None:
                    await self.reconcile_measure(finished)
        await self.scan_situation_reviews()

    async def scan_situation_reviews(self) -> None:
        """Every open complex situation is followed quarterly (seed 001, 5.3 and 5.4), with or without a
        running case management (whose own REVIEW_DUE covers it while it runs)."""
        if self.situations is None:
            return
        followed = {s.id: s for s in await self.situations.followed_as_complex()}
        for situation in followed.values():
            await self.reconcile_situation_review(situation)
        for document in await self.alerts.active({"kind": events.REVIEW_DUE, "measure_id": None}):
            if document.get("situation_id") not in followed:
                await self._clear(document, "the situation is no longer followed as complex")

    async def reconcile_situation_review(self, situation: Situation) -> None:
        alert_id = situation_alert_id(events.REVIEW_DUE, situation.id)
        due = situation.review_due_on()
        managed = any(m.type == MeasureType.CASE_MANAGEMENT and m.status == MeasureStatus.STARTED
                      for m in await self.measures.of_situation(situation.id))
        wanted = due is not None and not managed and self.clock.today() >= due
        active = await self.alerts.active({"_id": alert_id})
        if wanted and not active:
            assert due is not None
            await self.raise_for_situation(situation, events.REVIEW_DUE, due)
        elif active and not wanted:
            await self._clear(active[0], "reviewed" if not managed else "followed by its case management")

    async def raise_for_situation(self, situation: Situation, kind: str, due_on: date) -> None:
        measures = await self.measures.of_situation(situation.id)
        manager = next((m.case_manager for m in measures if m.case_manager and m.status != MeasureStatus.CLOSED),
                       None)
        context = {"situation_id": situation.id, "measure_id": None, "region": situation.region,
                   "themes": sorted(themes_of(situation.ref())),
                   "case_manager": manager.subject if manager else None,
                   "case_manager_institution": manager.institution if manager else None}
        await self._raise(AlertSpec(situation_alert_id(kind, situation.id), kind, due_on), context)

    async def clear_for_situation(self, situation_id: str, kinds: frozenset[str] | None, reason: str) -> None:
        """kinds None: every alert of the situation (it was closed)."""
        for document in await self.alerts.active({"situation_id": situation_id}):
            if kinds is None or document["kind"] in kinds:
                await self._clear(document, reason)

    async def clear_procuration_alerts(self, situation_id: str, reason: str) -> None:
        await self.clear_for_situation(situation_id, PROCURATION_ALERT_KINDS, reason)

    @staticmethod
    def _measure_context(measure: Measure) -> dict[str, Any]:
        manager = measure.case_manager
        return {"situation_id": measure.situation_id, "measure_id": measure.id,
                "region": measure.situation.region, "themes": sorted(themes_of(measure.situation)),
                "case_manager": manager.subject if manager else None,
                "case_manager_institution": manager.institution if manager else None}

    async def _raise(self, spec: AlertSpec, context: dict[str, Any]) -> None:
        raised_at = self.clock.now()
        payload = events.AlertRaised(
            alert_id=spec.alert_id, kind=spec.kind, situation_id=context["situation_id"],
            measure_id=context["measure_id"], region=context["region"], due_on=spec.due_on, raised_at=raised_at,
            case_manager=context["case_manager"], detail=spec.detail)
        fields = {**context, "kind": spec.kind, "due_on": spec.due_on.isoformat(), "detail": spec.detail,
                  "raised_at": raised_at}
        key = context["situation_id"] or spec.alert_id
        if await self.alerts.raise_alert(spec.alert_id, fields, [entry(events.ALERT_RAISED, key, payload)]):
            self.notify()

    async def _clear(self, document: Document, reason: str) -> None:
        cleared_at = self.clock.now()
        payload = events.AlertCleared(alert_id=document["_id"], cleared_at=cleared_at, kind=document.get("kind"),
                                      situation_id=document.get("situation_id"),
                                      measure_id=document.get("measure_id"), reason=reason)
        key = document.get("situation_id") or document["_id"]
        if await self.alerts.clear_alert(document["_id"], cleared_at, reason,
                                         [entry(events.ALERT_CLEARED, key, payload)]):
            self.notify()
