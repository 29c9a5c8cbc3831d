"""The Kafka topics and per-service access the manifests must declare (from the contract and the topology)."""

from __future__ import annotations

from collections.abc import Iterable

from ._base import CONTRACT_INSTITUTIONS, INTERNAL_ONLY, INTERNAL_READS, INTERNAL_TOPICS, SERVICES
from .render import topology


# --------------------------------------------------------------------------------------------------- topics
def expected_topics(institutions: Iterable[str] | None = None) -> set[str]:
    """Every topic the services use, from the rules of docs/conventions.md (independent of the generator)."""
    codes = [c.lower() for c in (institutions if institutions is not None else topology()["institutions"])]
    topics = {f"cii.inbound.{c}" for c in codes} | {f"cii.outbound.{c}" for c in codes}
    topics |= set(INTERNAL_TOPICS.values())
    topics |= {f"cii.deadletter.{s}" for s in SERVICES}
    return topics


def contract_topics() -> set[str] | None:
    """The topics of cii_platform.contracts.topics, when the library is importable, else None:
    all_topics() once it exists, until then the names of topic_specs(<docs/contract.md institutions>)."""
    try:
        from cii_platform.contracts import topics as contract
    except ImportError:
        return None
    all_topics = getattr(contract, "all_topics", None)
    if all_topics is not None:
        return {str(t) for t in all_topics()}
    specs = getattr(contract, "topic_specs", None)
    if specs is None:
        return None
    return {spec.name for spec in specs(sorted(CONTRACT_INSTITUTIONS))}


def contract_topic_configs() -> dict[str, dict[str, str]]:
    """retention.ms and cleanup.policy the library gives each topic (cii_platform.contracts.topics.topic_specs)."""
    try:
        from cii_platform.contracts.topics import topic_specs
    except ImportError:
        return {}
    return {spec.name: {k: str(v) for k, v in spec.config.items() if k in ("retention.ms", "cleanup.policy")}
            for spec in topic_specs(sorted(CONTRACT_INSTITUTIONS))}


def expected_service_access(service: str, institutions: Iterable[str]) -> dict[str, set[str]]:
    codes = [c.lower() for c in institutions]
    inbound = {f"cii.inbound.{c}" for c in codes} if service not in INTERNAL_ONLY else set()
    read = inbound | INTERNAL_READS[service]
    write = {f"cii.outbound.{c}" for c in codes} | {f"cii.deadletter.{service}"}
    if service in INTERNAL_TOPICS:
        write.add(INTERNAL_TOPICS[service])
    return {"read": read, "write": write, "group": {SERVICES[service]["group"]}}
