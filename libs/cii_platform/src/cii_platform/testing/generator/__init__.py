"""Realistic synthetic CII data for tests, the demo loader and the benchmarks (see history.py, events.py)."""

from .events import (
    InboundRecord,
    InternalRecord,
    Pseudonymize,
    emit,
    inbound_events,
    internal_events,
    procuration_events,
    signalement_submitted,
    situation_recorded,
)
from .history import Alert, Caseload, History, HistoryGenerator, Measure, Person, Procuration, Situation, Transition

__all__ = [
    "Alert",
    "Caseload",
    "History",
    "HistoryGenerator",
    "InboundRecord",
    "InternalRecord",
    "Measure",
    "Person",
    "Procuration",
    "Pseudonymize",
    "Situation",
    "Transition",
    "emit",
    "inbound_events",
    "internal_events",
    "procuration_events",
    "signalement_submitted",
    "situation_recorded",
]
