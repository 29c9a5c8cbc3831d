"""Wire the reporting service: runtime, projection log, read model, consumers (used by the app and tests)."""

from dataclasses import dataclass

from cii_platform.reference import ReferenceData
from cii_platform.runtime import ServiceRuntime

from .adapters.mongo_caseload_chunks import MongoCaseloadChunks
from .adapters.mongo_projection_log import PROJECTION_LOG, MongoProjectionLog
from .config import Settings
from .entrypoints.kafka.subscribers import register_subscribers
from .service_layer.caseload import CaseloadRecorder
from .service_layer.projection import Projection

CASELOAD_CHUNKS = "caseload_chunks"


@dataclass
class Reporting:
    settings: Settings
    runtime: ServiceRuntime
    projection: Projection

    @property
    def reference(self) -> ReferenceData:
        return self.runtime.reference


def bootstrap(settings: Settings, *, runtime: ServiceRuntime | None = None) -> Reporting:
    runtime = runtime or ServiceRuntime(settings)
    projection = Projection(MongoProjectionLog(runtime.db, PROJECTION_LOG))
    chunks = MongoCaseloadChunks(runtime.db[CASELOAD_CHUNKS])
    runtime.use_outbox(chunks.collection)
    recorder = CaseloadRecorder(chunks, runtime.pseudonymizer, runtime.notify_outbox)
    register_subscribers(runtime, projection, recorder, settings.projection_consumer)
    return Reporting(settings, runtime, projection)
