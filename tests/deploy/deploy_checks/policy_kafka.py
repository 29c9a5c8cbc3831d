"""Policies on the Strimzi Kafka cluster, topics, users and ACLs."""

from __future__ import annotations

from typing import Any

from ._base import (
    CONTRACT_INSTITUTIONS,
    INBOUND_MAX_RETENTION_MS,
    INTERNAL_TOPICS,
    KAFKA_CLUSTER,
    REQUIRE_CONTRACT_TOPICS,
    SERVICES,
)
from .objects import by_name, dig, of_kind
from .render import topology
from .schemas import _name
from .topics import contract_topic_configs, contract_topics, expected_service_access, expected_topics


def check_kafka(objs: list[dict[str, Any]]) -> list[str]:
    """KRaft cluster of 3, every topic the services use has a KafkaTopic with RF 3 / min ISR 2 and a retention,
    every KafkaUser's ACLs limited to its own topics and groups."""
    v: list[str] = []
    topo = topology()
    institutions = [c.lower() for c in topo["institutions"]]
    missing_contract = sorted(set(c.lower() for c in CONTRACT_INSTITUTIONS) - set(institutions))
    if missing_contract:
        v.append(f"deploy/topology.yaml: institutions of docs/contract.md missing: {missing_contract}")

    kafkas = of_kind(objs, "Kafka")
    if len(kafkas) != 1:
        v.append(f"expected one Kafka cluster, found {len(kafkas)}")
    for kafka in kafkas:
        kspec = (kafka.get("spec") or {}).get("kafka") or {}
        if ((kspec.get("authorization") or {}).get("type")) not in ("simple", "custom"):
            v.append(f"{_name(kafka)}: no authorization, ACLs would not be enforced")
        for listener in kspec.get("listeners") or []:
            auth = (listener.get("authentication") or {}).get("type")
            if auth not in ("tls", "scram-sha-512") and not is_oauth_listener(listener):
                v.append(f"{_name(kafka)}: listener {listener.get('name')} has no mTLS, SCRAM or OAuth "
                         "authentication")
            if not listener.get("tls"):
                v.append(f"{_name(kafka)}: listener {listener.get('name')} is not TLS")
    pools = [p for p in of_kind(objs, "KafkaNodePool")
             if p["metadata"].get("labels", {}).get("strimzi.io/cluster") == KAFKA_CLUSTER]
    controllers = sum(p["spec"].get("replicas", 0) for p in pools if "controller" in p["spec"].get("roles", []))
    brokers = sum(p["spec"].get("replicas", 0) for p in pools if "broker" in p["spec"].get("roles", []))
    if controllers != 3 or brokers < 3:
        v.append(f"KRaft: expected 3 controller nodes and at least 3 brokers, found {controllers} and {brokers}")
    for pool in pools:
        res = pool["spec"].get("resources") or {}
        if not (res.get("requests") and res.get("limits")):
            v.append(f"{_name(pool)}: resources are not set")

    # topics
    rendered = {}
    for t in of_kind(objs, "KafkaTopic"):
        rendered[t["spec"].get("topicName") or t["metadata"]["name"]] = t
    wanted = expected_topics(institutions)
    contract = contract_topics()
    if contract is None and REQUIRE_CONTRACT_TOPICS:
        v.append("cii_platform.contracts.topics.all_topics() is not importable (REQUIRE_CONTRACT_TOPICS is on)")
    if contract is not None:
        wanted |= contract
    lib_configs = contract_topic_configs()
    for name in sorted(wanted - set(rendered)):
        v.append(f"topic {name}: used by the services but has no KafkaTopic")
    for name, topic in rendered.items():
        spec = topic.get("spec") or {}
        config = spec.get("config") or {}
        tname = f"KafkaTopic/{topic['metadata']['name']}"
        if (topic["metadata"].get("labels") or {}).get("strimzi.io/cluster") != KAFKA_CLUSTER:
            v.append(f"{tname}: not labelled strimzi.io/cluster={KAFKA_CLUSTER}")
        if spec.get("replicas") != 3:
            v.append(f"{tname}: replication factor is {spec.get('replicas')}, not 3")
        if str(config.get("min.insync.replicas")) != "2":
            v.append(f"{tname}: min.insync.replicas is {config.get('min.insync.replicas')}, not 2")
        if not spec.get("partitions"):
            v.append(f"{tname}: partitions not set")
        compacted = "compact" in str(config.get("cleanup.policy"))
        if "cleanup.policy" not in config or ("retention.ms" not in config and not compacted):
            v.append(f"{tname}: retention and cleanup policy not set")
        if name.startswith("cii.inbound."):
            retention = int(config.get("retention.ms", -1))
            if retention < 0 or retention > INBOUND_MAX_RETENTION_MS:
                v.append(f"{tname}: inbound retention must be short (at most 7 days)")
        if name in INTERNAL_TOPICS.values():
            keeps = str(config.get("retention.ms")) == "-1" or "compact" in str(config.get("cleanup.policy"))
            if not keeps:
                v.append(f"{tname}: reporting replays internal topics, retention must be infinite or compacted")
        if name not in wanted:
            v.append(f"{tname}: not a topic of the platform")
        for key, value in (lib_configs.get(name) or {}).items():
            if str(config.get(key)) != value:
                v.append(f"{tname}: {key} is {config.get(key)}, cii_platform.contracts.topics says {value}")

    # users and ACLs: an institution is inst-<code> (SCRAM), or system-<code> (its Keycloak client) when the
    # institutions' listener authenticates by OAuth (the prod overlay)
    users = by_name(objs, "KafkaUser")
    oauth = any(is_oauth_listener(li) for k in kafkas for li in dig(k, "spec", "kafka", "listeners") or [])
    institution_prefix = "system-" if oauth else "inst-"
    expected_users = {f"{institution_prefix}{c}" for c in institutions} | {f"svc-{s}" for s in SERVICES}
    for name in sorted(expected_users - set(users)):
        v.append(f"KafkaUser/{name}: missing")
    for name, user in users.items():
        uname = f"KafkaUser/{name}"
        spec = user.get("spec") or {}
        oauth_principal = oauth and name.startswith("system-")
        if oauth_principal and spec.get("authentication"):
            v.append(f"{uname}: an OAuth principal has no credential of Strimzi's (authentication is Keycloak's)")
        if not oauth_principal and (spec.get("authentication") or {}).get("type") not in (
                "tls", "tls-external", "scram-sha-512"):
            v.append(f"{uname}: no mTLS or SCRAM authentication")
        authz = spec.get("authorization") or {}
        acls = authz.get("acls") or []
        if authz.get("type") != "simple" or not acls:
            v.append(f"{uname}: no simple authorization with ACLs")
        if name.startswith(institution_prefix):
            code = name[len(institution_prefix):]
            allowed = {
                ("topic", f"cii.inbound.{code}", "literal", "Write"),
                ("topic", f"cii.outbound.{code}", "literal", "Read"),
                ("group", f"{code}-", "prefix", "Read"),
            }
            required = {a for a in allowed if a[0] == "topic"}
        elif name.startswith("svc-") and name[len("svc-"):] in SERVICES:
            access = expected_service_access(name[len("svc-"):], institutions)
            allowed = {("topic", t, "literal", "Read") for t in access["read"]}
            allowed |= {("topic", t, "literal", "Write") for t in access["write"]}
            # consumer groups cii-<service> (inbound) and cii-<service>-internal (internal topics)
            allowed |= {("group", g, "prefix", "Read") for g in access["group"]}
            required = allowed
        else:
            v.append(f"{uname}: neither an institution ({institution_prefix}<code>) nor a service (svc-<service>) "
                     "user")
            continue
        granted = set()
        for acl in acls:
            res = acl.get("resource") or {}
            if acl.get("type", "allow") != "allow":
                continue
            for op in acl.get("operations") or []:
                granted.add((res.get("type"), res.get("name"), res.get("patternType", "literal"), op))
        for extra in sorted(granted - allowed, key=str):
            kind, rname, pattern, op = extra
            v.append(f"{uname}: ACL beyond its own topics: {op} on {kind} {rname!r} ({pattern})")
        for lacking in sorted(required - granted, key=str):
            kind, rname, pattern, op = lacking
            v.append(f"{uname}: lacks {op} on {kind} {rname!r}")
    return v


def is_oauth_listener(listener: dict[str, Any]) -> bool:
    """Strimzi's custom authentication for OAuth: SASL/OAUTHBEARER validated by strimzi-kafka-oauth against an
    issuer and its keys, with an audience check."""
    auth = listener.get("authentication") or {}
    config = auth.get("listenerConfig") or {}
    jaas = str(config.get("oauthbearer.sasl.jaas.config", ""))
    return (auth.get("type") == "custom" and auth.get("sasl") is True
            and config.get("sasl.enabled.mechanisms") == "OAUTHBEARER"
            and "JaasServerOauthValidatorCallbackHandler" in str(
                config.get("oauthbearer.sasl.server.callback.handler.class", ""))
            and all(f'{option}="' in jaas for option in (
                "oauth.valid.issuer.uri", "oauth.jwks.endpoint.uri", "oauth.username.claim")
                    ) and 'oauth.check.audience="true"' in jaas)
