"""Policy checks on the rendered overlays, and proof that they reject manifests that break a rule."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import deploy_checks as dc
import pytest
import yaml

pytestmark = pytest.mark.deploy

BAD_MANIFESTS = Path(__file__).resolve().parent / "fixtures" / "bad-manifests.yaml"


@pytest.mark.parametrize("overlay", dc.OVERLAYS)
def test_overlay_satisfies_every_policy(rendered, overlay: str) -> None:
    violations = dc.check_policies(copy.deepcopy(rendered[overlay]))
    assert not violations, "\n".join(violations)


def test_every_topic_the_services_use_has_a_kafka_topic(rendered) -> None:
    topics = {t["spec"]["topicName"] for t in rendered["prod"] if t["kind"] == "KafkaTopic"}
    used = dc.expected_topics(dc.CONTRACT_INSTITUTIONS)
    contract = dc.contract_topics()
    if contract is not None:  # cii_platform.contracts.topics.all_topics(), once the library has it
        used |= contract
    assert not used - topics, f"topics without a KafkaTopic: {sorted(used - topics)}"
    assert len(used) >= 2 * 19 + 4 + 4  # inbound + outbound per institution, internal, dead letters


def test_a_deliberately_bad_manifest_is_rejected(fresh_render) -> None:
    bad = dc.load_yaml_docs(BAD_MANIFESTS.read_text(encoding="utf-8"))
    replaced = {(o["kind"], o["metadata"]["name"]) for o in bad}
    # dev: the overlay with the SCRAM users inst-<code> (prod replaces them by OAuth principals system-<code>)
    objs = [o for o in fresh_render("dev") if (o["kind"], o["metadata"]["name"]) not in replaced] + bad
    violations = "\n".join(dc.check_policies(objs))
    expected = [
        "Deployment/rogue container rogue: runAsNonRoot is not true (non-root)",
        "Deployment/rogue container rogue: runs as uid 0 (non-root)",
        "Deployment/rogue container rogue: allowPrivilegeEscalation is not false",
        "Deployment/rogue container rogue: readOnlyRootFilesystem is not true",
        "Deployment/rogue container rogue: capabilities are not dropped",
        "Deployment/rogue container rogue: resources.requests.cpu is not set",
        "Deployment/rogue container rogue: resources.limits.memory is not set",
        "Deployment/rogue container rogue: image 'cii-platform/rogue:latest' is not pinned",
        "Deployment/rogue container rogue: no readinessProbe",
        "Deployment/rogue container rogue: no livenessProbe",
        "Deployment/rogue: no PodDisruptionBudget selects its pods",
        "Secret/leaked-password: a Secret with its values is rendered",
        "KafkaUser/inst-orp: ACL beyond its own topics: Read on topic 'cii.outbound.cms' (literal)",
        "KafkaUser/inst-orp: ACL beyond its own topics: Write on topic 'cii.inbound.' (prefix)",
        "KafkaTopic/cii.inbound.oai: replication factor is 1, not 3",
        "KafkaTopic/cii.inbound.oai: min.insync.replicas is 1, not 2",
        "KafkaTopic/cii.inbound.oai: inbound retention must be short",
        "NetworkPolicy/reporting-anywhere: reporting may reach any destination",
    ]
    missing = [e for e in expected if e not in violations]
    assert not missing, f"not reported: {missing}\nreported:\n{violations}"


Mutation = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
C = ("spec", "template", "spec", "containers", 0)  # a Deployment's main container
SC = (*C, "securityContext")
REGISTRY = "registry.cii.vs.ch/cii-platform"


def _find(objs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)


def _at(obj: Any, path: tuple) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def _put(kind: str, name: str, path: tuple, value: Any) -> Mutation:
    def apply(objs):
        _at(_find(objs, kind, name), path[:-1])[path[-1]] = value
        return objs
    return apply


def _pop(kind: str, name: str, path: tuple) -> Mutation:
    def apply(objs):
        _at(_find(objs, kind, name), path[:-1]).pop(path[-1])
        return objs
    return apply


def _append(kind: str, name: str, path: tuple, item: Any) -> Mutation:
    def apply(objs):
        _at(_find(objs, kind, name), path).append(item)
        return objs
    return apply


def _drop(kind: str, name: str) -> Mutation:
    return lambda objs: [o for o in objs if not (o["kind"] == kind and o["metadata"]["name"] == name)]


def _add(obj: dict[str, Any]) -> Mutation:
    return lambda objs: [*objs, obj]


def _both(*mutations: Mutation) -> Mutation:
    def apply(objs):
        for mutation in mutations:
            objs = mutation(objs)
        return objs
    return apply


def _acl(kind: str, name: str, op: str, pattern: str = "literal") -> dict[str, Any]:
    return {"resource": {"type": kind, "name": name, "patternType": pattern}, "operations": [op]}


ACLS = ("spec", "authorization", "acls")
EGRESS = ("spec", "egress")
PATHS = ("spec", "rules", 0, "http", "paths")


def _to(service: str, port: int | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": service}}}]}
    if port:
        rule["ports"] = [{"port": port}]
    return rule


def _without_kafka_egress(objs):
    policy = _find(objs, "NetworkPolicy", "measures")
    policy["spec"]["egress"] = [r for r in policy["spec"]["egress"]
                                if "strimzi.io/cluster" not in str(r.get("to"))]
    return objs


def _sign_in_on(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    config = next(o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("workspace-config"))
    config["data"]["WORKSPACE_LOCAL_SIGN_IN"] = "true"
    return objs


# rule broken -> (how, a violation that must be reported)
MUTATIONS: dict[str, tuple[Mutation, str]] = {
    "container may run as root": (
        _both(_pop("Deployment", "measures", ("spec", "template", "spec", "securityContext", "runAsNonRoot")),
              _pop("Deployment", "measures", (*SC, "runAsNonRoot"))),
        "Deployment/measures container measures: runAsNonRoot is not true"),
    "latest tag": (_put("Deployment", "reporting", (*C, "image"), f"{REGISTRY}/reporting:latest"),
                   f"image '{REGISTRY}/reporting:latest' is not pinned"),
    "no tag": (_put("Deployment", "reporting", (*C, "image"), f"{REGISTRY}/reporting"), "is not pinned"),
    "no limits": (_pop("Deployment", "procuration", (*C, "resources", "limits")),
                  "Deployment/procuration container procuration: resources.limits.cpu is not set"),
    "privilege escalation": (_put("Deployment", "signalement", (*SC, "allowPrivilegeEscalation"), True),
                             "Deployment/signalement container signalement: allowPrivilegeEscalation is not false"),
    "writable root fs": (_put("Deployment", "signalement", (*SC, "readOnlyRootFilesystem"), False),
                         "readOnlyRootFilesystem is not true"),
    "capability added": (_put("Deployment", "signalement", (*SC, "capabilities", "add"), ["NET_ADMIN"]),
                         "adds capabilities ['NET_ADMIN']"),
    "no readiness probe": (_pop("Deployment", "measures", (*C, "readinessProbe")),
                           "Deployment/measures container measures: no readinessProbe"),
    "wrong liveness path": (_put("Deployment", "measures", (*C, "livenessProbe", "httpGet", "path"), "/"),
                            "Deployment/measures: livenessProbe path is '/', not /healthz"),
    "no PDB": (_drop("PodDisruptionBudget", "signalement"),
               "Deployment/signalement: no PodDisruptionBudget selects its pods"),
    "collector without PDB": (_drop("PodDisruptionBudget", "otel-collector"),
                              "Deployment/otel-collector: no PodDisruptionBudget"),
    "no HPA": (_drop("HorizontalPodAutoscaler", "reporting"), "Deployment/reporting: no HorizontalPodAutoscaler"),
    "HPA beyond partitions": (_put("HorizontalPodAutoscaler", "measures", ("spec", "maxReplicas"), 12),
                              "maxReplicas 12 exceeds the 6 partitions"),
    "collector token automounted": (
        _put("Deployment", "otel-collector", ("spec", "template", "spec", "automountServiceAccountToken"), True),
        "Deployment/otel-collector: automountServiceAccountToken is not false"),
    "token automounted": (_put("ServiceAccount", "procuration", ("automountServiceAccountToken",), True),
                          "ServiceAccount/procuration: automountServiceAccountToken is not false"),
    "secret in env": (_append("Deployment", "reporting", (*C, "env"), {"name": "CII_API_TOKEN", "value": "abc"}),
                      "env CII_API_TOKEN has a literal value"),
    "secret object": (_add({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {}}),
                      "Secret/s: a Secret with its values is rendered"),
    "wrong port": (_put("Deployment", "signalement", (*C, "ports", 0, "containerPort"), 9001),
                   "Deployment/signalement: container port http is 9001, not 8001"),
    "missing topic": (_drop("KafkaTopic", "cii.outbound.suva"),
                      "topic cii.outbound.suva: used by the services but has no KafkaTopic"),
    "topic RF 2": (_put("KafkaTopic", "cii.internal.measures.v1", ("spec", "replicas"), 2),
                   "KafkaTopic/cii.internal.measures.v1: replication factor is 2, not 3"),
    "internal topic expires": (
        _put("KafkaTopic", "cii.internal.signalement.v1", ("spec", "config", "retention.ms"), 604800000),
        "reporting replays internal topics"),
    "inbound kept 30 days": (_put("KafkaTopic", "cii.inbound.cms", ("spec", "config", "retention.ms"), 2592000000),
                             "KafkaTopic/cii.inbound.cms: inbound retention must be short"),
    "institution reads another outbound": (
        _append("KafkaUser", "inst-cms", ACLS, _acl("topic", "cii.outbound.orp", "Read")),
        "KafkaUser/inst-cms: ACL beyond its own topics: Read on topic 'cii.outbound.orp'"),
    "institution reads its inbound": (
        _append("KafkaUser", "inst-cms", ACLS, _acl("topic", "cii.inbound.cms", "Read")),
        "KafkaUser/inst-cms: ACL beyond its own topics: Read on topic 'cii.inbound.cms'"),
    "institution wildcard": (_append("KafkaUser", "inst-oai", ACLS, _acl("topic", "*", "All")),
                             "KafkaUser/inst-oai: ACL beyond its own topics: All on topic '*'"),
    "service writes another internal topic": (
        _append("KafkaUser", "svc-reporting", ACLS, _acl("topic", "cii.internal.measures.v1", "Write")),
        "KafkaUser/svc-reporting: ACL beyond its own topics: Write on topic 'cii.internal.measures.v1'"),
    "service uses another group": (
        _append("KafkaUser", "svc-measures", ACLS, _acl("group", "cii-reporting", "Read", "prefix")),
        "KafkaUser/svc-measures: ACL beyond its own topics: Read on group 'cii-reporting'"),
    "service creates topics": (
        _append("KafkaUser", "svc-signalement", ACLS, _acl("cluster", "kafka-cluster", "Create")),
        "KafkaUser/svc-signalement: ACL beyond its own topics: Create on cluster"),
    "unknown user": (_add({"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaUser", "metadata": {"name": "admin"},
                           "spec": {"authentication": {"type": "tls"},
                                    "authorization": {"type": "simple", "acls": [_acl("topic", "*", "All")]}}}),
                     "KafkaUser/admin: neither an institution"),
    "listener without auth": (_pop("Kafka", "cii-kafka", ("spec", "kafka", "listeners", 1, "authentication")),
                              "listener external has no mTLS, SCRAM or OAuth authentication"),
    "not KRaft of 3": (_put("KafkaNodePool", "dual-role", ("spec", "replicas"), 1),
                       "KRaft: expected 3 controller nodes"),
    "mongo user on another db": (
        _append("MongoDBCommunity", "cii-mongodb", ("spec", "users", 0, "roles"),
                {"name": "read", "db": "cii_procuration"}),
        "user signalement must have exactly readWrite on cii_signalement"),
    "mongo standalone": (_put("MongoDBCommunity", "cii-mongodb", ("spec", "members"), 1), "not a replica set of 3"),
    "no default deny": (_drop("NetworkPolicy", "default-deny-all"), "no default-deny policy"),
    "egress to the internet": (_append("NetworkPolicy", "reporting", EGRESS,
                                       {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}),
                               "reporting egress to ipblock"),
    "reporting calls procuration": (_append("NetworkPolicy", "reporting", EGRESS, _to("procuration", 8003)),
                                    "reporting egress to service:procuration"),
    "procuration open to reporting": (
        _append("NetworkPolicy", "procuration", ("spec", "ingress"),
                {"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "reporting"}}}]}),
        "procuration ingress from service:reporting"),
    "no egress to kafka": (_without_kafka_egress, "Deployment/measures: no egress to kafka"),
    "ingress without TLS": (_pop("Ingress", "cii-platform", ("spec", "tls")), "has no TLS"),
    "workspace demo sign-in on": (
        _sign_in_on,
        "Deployment/workspace: the local demo sign-in is not off"),
    "workspace reaches Kafka": (
        _append("NetworkPolicy", "workspace", EGRESS, {"to": [{"podSelector": {"matchLabels": {
            "strimzi.io/cluster": "cii-kafka"}}}], "ports": [{"port": 9093, "protocol": "TCP"}]}),
        "Deployment/workspace: egress to kafka is not allowed"),
    "workspace without route": (_drop("Ingress", "workspace"), "Ingress: no TLS route to workspace"),
    "metrics exposed": (
        _append("Ingress", "cii-platform", PATHS, {"path": "/metrics", "pathType": "Prefix", "backend": {
            "service": {"name": "reporting", "port": {"name": "http"}}}}),
        "exposes /metrics"),
}


@pytest.mark.parametrize("rule", sorted(MUTATIONS))
def test_breaking_a_rule_is_reported(fresh_render, rule: str) -> None:
    mutate, expected = MUTATIONS[rule]
    violations = dc.check_policies(mutate(fresh_render("dev")))
    assert any(expected in v for v in violations), f"{rule!r}: expected {expected!r} among:\n" + "\n".join(violations)


def test_bad_manifest_fixture_is_valid_yaml_with_names() -> None:
    docs = [d for d in yaml.safe_load_all(BAD_MANIFESTS.read_text(encoding="utf-8")) if d]
    assert docs and all(d["metadata"]["name"] for d in docs)
