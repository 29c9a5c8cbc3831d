"""Wire the procuration service: the same `bootstrap()` for the process and for the tests."""

from dataclasses import dataclass
from typing import Any

from cii_platform.clock import Clock, clock_for
from cii_platform.runtime import ServiceRuntime
from cii_platform.security.keys import read_hex_key

from .adapters.audit_checkpoints import KafkaCheckpoints
from .adapters.mongo_audit_log import MongoAuditLog
from .adapters.mongo_exchanges import MongoExchangeRepository
from .adapters.mongo_key_store import MongoKeyStore
from .adapters.mongo_procurations import MongoProcurationRepository
from .adapters.mongo_situations import MongoSituationRepository
from .adapters.procuration_key_migration import migrate_procurations
from .config import Settings
from .entrypoints.kafka.subscribers import register_subscribers
from .service_layer.audit import AuditTrail, key_the_chain
from .service_layer.custody import KeyCustodian
from .service_layer.decisions import DecisionPoint
from .service_layer.erasure import Eraser
from .service_layer.exchanges import ExchangeBroker
from .service_layer.expiry import ExpiryWatch, daily
from .service_layer.procurations import ProcurationRegistry
from .service_layer.signed_forms import SignedForms


@dataclass
class ProcurationService:
    settings: Settings
    runtime: ServiceRuntime
    clock: Clock
    audit: AuditTrail
    decisions: DecisionPoint
    custodian: KeyCustodian
    registry: ProcurationRegistry
    exchanges: ExchangeBroker
    eraser: Eraser
    expiry: ExpiryWatch
    procurations: MongoProcurationRepository
    situations: MongoSituationRepository
    keys: MongoKeyStore
    forms: SignedForms


def bootstrap(settings: Settings, *, runtime: ServiceRuntime | None = None,
              clock: Clock | None = None, master_key: bytes | None = None) -> ProcurationService:
    runtime = runtime or ServiceRuntime(settings)
    clock = clock or clock_for(settings.clock_today)
    master_key = master_key or read_hex_key(settings.master_key_path, "master key (CII_MASTER_KEY_FILE)")
    # Writes serialized per collection, shared with the outbox relay and the HTTP handlers (FerretDB v1
    # updates are read-modify-write: a relay's write-back could erase a revocation made meanwhile).
    # The audit log is insert-only, and its group commit must not wait behind other writes.
    procurations = MongoProcurationRepository(runtime.collection("procurations"))
    exchanges_repo = MongoExchangeRepository(runtime.collection("exchanges"))
    situations = MongoSituationRepository(runtime.collection("situations"))
    keys = MongoKeyStore(runtime.collection("data_keys"), runtime.collection("erased_persons"))
    audit_key = read_hex_key(settings.audit_key_path, "audit key (CII_AUDIT_KEY_FILE)")
    audit_log = MongoAuditLog(runtime.db["audit_log"], audit_key)
    checkpoints = KafkaCheckpoints(runtime.publisher, settings, audit_key, clock,
                                   interval=settings.audit_checkpoint_seconds)
    audit_log.on_head = checkpoints.head_changed
    audit_log.latest_checkpoint = checkpoints.latest
    audit_log.on_verified = checkpoints.unblock
    audit = AuditTrail(audit_log, clock)
    decisions = DecisionPoint(procurations, keys, audit, clock,
                              durable_decision_audit=settings.durable_decision_audit)
    custodian = KeyCustodian(keys, master_key, decisions, audit, clock)
    forms = SignedForms(runtime.collection("signed_forms"), custodian, audit, clock)
    service = ProcurationService(
        settings=settings, runtime=runtime, clock=clock, audit=audit, decisions=decisions, custodian=custodian,
        registry=ProcurationRegistry(procurations, custodian, runtime.pseudonymizer, audit, clock),
        exchanges=ExchangeBroker(exchanges_repo, decisions, runtime.publisher, runtime.pseudonymizer, audit,
                                 clock, settings.exchange_timeout_seconds),
        eraser=Eraser(keys, procurations, situations, audit, clock, settings.retention_years),
        expiry=ExpiryWatch(procurations, situations, clock, settings.expiry_warning_days),
        procurations=procurations, situations=situations, keys=keys, forms=forms)
    runtime.use_outbox(procurations.collection, exchanges_repo.collection, keys.erased)
    _prepare_storage(runtime, [procurations, exchanges_repo, situations, keys, audit_log])

    async def migrate_keys() -> None:
        await migrate_procurations(procurations, custodian)

    async def anchor_audit_chain() -> None:
        await key_the_chain(audit_log, audit)
        await checkpoints.start(audit_log.stored_hash, await audit_log.head())

    runtime.on_startup(anchor_audit_chain)
    runtime.on_startup(migrate_keys)
    runtime.on_shutdown(audit_log.drain)
    _schedule(service)
    register_subscribers(service)
    return service


def _prepare_storage(runtime: ServiceRuntime, repositories: list[Any]) -> None:
    async def ensure_indexes() -> None:
        for repository in repositories:
            await repository.ensure_indexes()

    runtime.on_startup(ensure_indexes)


async def run_daily_checks(service: ProcurationService) -> dict[str, int]:
    """The expiry watch, then the retention purge (daily, at start, and on an operator's request)."""
    counts = await service.expiry.run_once()
    purged = await service.eraser.purge_expired_retention()
    service.runtime.notify_outbox()
    return {**counts, "retention_purged": len(purged)}


def _schedule(service: ProcurationService) -> None:
    settings, runtime = service.settings, service.runtime

    async def daily_checks() -> dict[str, int]:
        return await run_daily_checks(service)

    async def exchange_timeouts() -> int:
        answered = await service.exchanges.expire_overdue()
        if answered:
            runtime.notify_outbox()
        return answered

    runtime.run_in_background("expiry-watch", daily(daily_checks, settings.expiry_watch_interval_seconds,
                                                    "expiry watch"))
    runtime.run_in_background("exchange-timeouts", daily(exchange_timeouts,
                                                         settings.exchange_timeout_check_seconds,
                                                         "exchange timeouts"))
