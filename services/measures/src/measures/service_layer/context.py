"""What every handler of the service needs, wired once by bootstrap (production and tests alike)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cii_platform.clock import Clock
from cii_platform.http import conflict, not_found
from cii_platform.reference import ReferenceData
from cii_platform.security.tokens import Principal

from ..config import Settings
from ..domain.model import Measure, MeasureType
from .access import sees_measure
from .alerts import AlertService
from .event_builders import measure_entries
from .ports import AccessAudit, AlertRepository, DisagreementRepository, MeasureRepository, SituationRepository
from .sealing import Sealer


@dataclass
class ServiceContext:
    settings: Settings
    reference: ReferenceData
    measures: MeasureRepository
    situations: SituationRepository
    alert_store: AlertRepository
    disagreements: DisagreementRepository
    audit_log: AccessAudit
    alerts: AlertService
    sealer: Sealer
    clock: Clock
    notify: Callable[[], None]

    async def visible_measure(self, measure_id: str, principal: Principal) -> tuple[Measure, list[Measure]]:
        """The measure and its situation's measures, or 404 for whoever may not see it."""
        measure = await self.measures.get(measure_id)
        if measure is None:
            raise not_found("measure")
        situation_measures = await self.measures.of_situation(measure.situation_id)
        if not sees_measure(principal, measure, situation_measures):
            raise not_found("measure")
        return measure, situation_measures

    async def save(self, measure: Measure) -> None:
        """One atomic write of the new state and its events; a concurrent change answers 409."""
        entries = measure_entries(measure, measure.pop_changes())
        if not await self.measures.save(measure, entries):
            current = await self.measures.get(measure.id)
            state = current.status.value if current else "unknown"
            raise conflict("the measure was changed meanwhile; read it again", state)
        self.notify()
        if measure.type == MeasureType.CASE_MANAGEMENT:
            await self.alerts.reconcile_measure(measure)

    async def audit(self, principal: Principal, action: str, resource: str, granted: bool) -> None:
        """Every read of a person's sealed text is recorded, granted or not."""
        await self.audit_log.insert_one({"at": datetime.now(UTC), "actor": principal.audit_actor(),
                                         "action": action, "resource": resource, "granted": granted})

    def known_institution(self, code: str) -> bool:
        return code in self.reference.institution_codes or code in {b.code for b in self.reference.platform_bodies}

    def variable_cost(self, measure_type: MeasureType) -> float | None:
        return self.settings.variable_cost_tariffs.get(measure_type.value)

    def cost_of(self, measure: Measure) -> float | None:
        """An amount the Commission droit prefinanced stands; else the type's tariff."""
        if measure.prefinancing is not None and measure.variable_cost is not None:
            return measure.variable_cost
        return self.variable_cost(measure.type)
