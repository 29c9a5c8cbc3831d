"""Topic names. Never write a topic name as a literal anywhere else."""

from dataclasses import dataclass

SERVICES = ("signalement", "measures", "procuration", "reporting", "notifier")
# Every process of the stack: the services above (Kafka consumers, dead-letter topics) and the pages for people.
STACK_SERVICES = (*SERVICES, "workspace")

SIGNALEMENT_EVENTS = "cii.internal.signalement.v1"
MEASURES_EVENTS = "cii.internal.measures.v1"
PROCURATION_EVENTS = "cii.internal.procuration.v1"
# Pseudonymised copies of what reporting receives from institutions (caseload snapshots), so a replay
# does not depend on the short retention of inbound topics.
REPORTING_EVENTS = "cii.internal.reporting.v1"
INTERNAL_TOPICS = (SIGNALEMENT_EVENTS, MEASURES_EVENTS, PROCURATION_EVENTS, REPORTING_EVENTS)

INBOUND_PREFIX = "cii.inbound."
OUTBOUND_PREFIX = "cii.outbound."

DAY_MS = 24 * 3600 * 1000


def inbound(code: str) -> str:
    return f"{INBOUND_PREFIX}{code.lower()}"


def outbound(code: str) -> str:
    return f"{OUTBOUND_PREFIX}{code.lower()}"


def dead_letter(service: str) -> str:
    return f"cii.deadletter.{service}"


def institution_of_inbound(topic: str) -> str:
    """The institution is who wrote the topic, never what its message claims (docs/contract.md 2)."""
    return topic.removeprefix(INBOUND_PREFIX).upper()


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str]


def topic_specs(institution_codes: list[str], *, inbound_retention_days: int = 7,
                partitions: int = 3) -> list[TopicSpec]:
    """Every topic the platform uses, with the retention it needs.

    Inbound topics are written by institutions and hold personal data in clear: short retention.
    Internal topics are the platform's history that reporting replays: kept forever.
    """
    inbound_cfg = {"retention.ms": str(inbound_retention_days * DAY_MS), "cleanup.policy": "delete"}
    outbound_cfg = {"retention.ms": str(30 * DAY_MS), "cleanup.policy": "delete"}
    history_cfg = {"retention.ms": "-1", "cleanup.policy": "delete"}
    dlt_cfg = {"retention.ms": str(90 * DAY_MS), "cleanup.policy": "delete"}
    specs = [TopicSpec(inbound(c), partitions, inbound_cfg) for c in institution_codes]
    specs += [TopicSpec(outbound(c), partitions, outbound_cfg) for c in institution_codes]
    specs += [TopicSpec(t, partitions, history_cfg) for t in INTERNAL_TOPICS]
    specs += [TopicSpec(dead_letter(s), 1, dlt_cfg) for s in SERVICES]
    return specs
