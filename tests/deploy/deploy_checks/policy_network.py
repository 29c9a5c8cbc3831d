"""Policies on MongoDB users, NetworkPolicies, the Ingress and telemetry."""

from __future__ import annotations

from typing import Any

from ._base import (
    INGRESS_CONTROLLER_NAMESPACE,
    KAFKA_CLUSTER,
    MAIL_SENDERS,
    MONGODB_POD_LABEL,
    PROCURATION_CLIENTS,
    SERVICES,
    SMTP_PORTS,
    WORKSPACE,
)
from .objects import by_name, dig, of_kind, pod_labels, selector_matches, service_deployments
from .schemas import _name


def check_mongodb(objs: list[dict[str, Any]]) -> list[str]:
    v: list[str] = []
    sets = of_kind(objs, "MongoDBCommunity")
    if len(sets) != 1:
        return [f"expected one MongoDBCommunity replica set, found {len(sets)}"]
    mdb = sets[0]
    spec = mdb.get("spec") or {}
    if spec.get("members") != 3 or spec.get("type") != "ReplicaSet":
        v.append(f"{_name(mdb)}: not a replica set of 3")
    users = {u["name"]: u for u in spec.get("users") or []}
    for service, conf in {**SERVICES, WORKSPACE["name"]: WORKSPACE}.items():
        user = users.pop(str(service), None)
        if user is None:
            v.append(f"{_name(mdb)}: no user for {service}")
            continue
        roles = {(r.get("db"), r.get("name")) for r in user.get("roles") or []}
        if roles != {(conf["db"], "readWrite")}:
            v.append(f"{_name(mdb)}: user {service} must have exactly readWrite on {conf['db']}, has {sorted(roles)}")
        if not (user.get("passwordSecretRef") or {}).get("name"):
            v.append(f"{_name(mdb)}: user {service} has no password Secret reference")
    for extra in users:
        v.append(f"{_name(mdb)}: unexpected user {extra}")
    containers_ = dig(spec, "statefulSet", "spec", "template", "spec", "containers") or []
    for c in containers_:
        res = c.get("resources") or {}
        if not (res.get("requests") and res.get("limits")):
            v.append(f"{_name(mdb)}: container {c.get('name')} has no resources")
    if {c.get("name") for c in containers_} != {"mongod", "mongodb-agent"}:
        v.append(f"{_name(mdb)}: resources must be set for mongod and mongodb-agent")
    return v


def _peer_category(peer: dict[str, Any], port_list: list[dict[str, Any]]) -> str:
    ports = {p.get("port") for p in port_list}
    pod = (peer.get("podSelector") or {}).get("matchLabels") or {}
    ns = (peer.get("namespaceSelector") or {}).get("matchLabels") or {}
    if "ipBlock" in peer:
        # mail submission to the canton's SMTP relay (the notifier only)
        return "smtp-relay" if ports and ports <= SMTP_PORTS else "ipblock"
    if ns.get("kubernetes.io/metadata.name") == "kube-system" and pod.get("k8s-app") == "kube-dns" and ports <= {53}:
        return "dns"
    if ns.get("kubernetes.io/metadata.name") == INGRESS_CONTROLLER_NAMESPACE and "namespaceSelector" in peer:
        return "ingress-controller"
    if "namespaceSelector" in peer:
        return "other-namespace"
    if pod.get("strimzi.io/cluster") == KAFKA_CLUSTER and ports and ports <= {9093}:
        return "kafka"
    if pod == MONGODB_POD_LABEL and ports <= {27017}:
        return "mongodb"
    if pod.get("app.kubernetes.io/name") == "otel-collector":
        return "otel-collector"
    if pod == {"app": "keycloak"} and ports <= {8080}:
        return "keycloak"
    if pod.get("app.kubernetes.io/name") in (*SERVICES, WORKSPACE["name"]):
        return "service:" + pod["app.kubernetes.io/name"]
    return "other"


def check_network(objs: list[dict[str, Any]]) -> list[str]:
    """Default deny; each service reaches only Kafka, MongoDB, the collector, DNS and (when it needs it) procuration;
    it is reached only through the Ingress controller, by the collector and (procuration) by its clients."""
    v: list[str] = []
    policies = of_kind(objs, "NetworkPolicy")
    deny = [
        p for p in policies
        if (p["spec"].get("podSelector") in ({}, None) or p["spec"]["podSelector"] == {"matchLabels": {}})
        and set(p["spec"].get("policyTypes") or []) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress") and not p["spec"].get("egress")
    ]
    if not deny:
        v.append("NetworkPolicy: no default-deny policy (podSelector {} with Ingress and Egress and no rule)")
    for service, dep in service_deployments(objs).items():
        labels = pod_labels(dep)
        selecting = [p for p in policies if selector_matches(p["spec"].get("podSelector") or {}, labels)]
        own = [p for p in selecting if p["spec"].get("podSelector") not in ({}, None)]
        if not own:
            v.append(f"Deployment/{service}: no NetworkPolicy of its own")
        allowed_egress = {"dns", "kafka", "mongodb", "otel-collector"}
        required_egress = set(allowed_egress)
        allowed_egress.add("keycloak")  # the realm's keys (and the dashboard's sign-in), where Keycloak runs
        if service in PROCURATION_CLIENTS:
            required_egress.add("service:procuration")
            allowed_egress.add("service:procuration")
        if service in MAIL_SENDERS:
            allowed_egress.add("smtp-relay")
        allowed_ingress = {"ingress-controller", "otel-collector", f"service:{WORKSPACE['name']}"}
        if service == "procuration":
            allowed_ingress |= {f"service:{c}" for c in PROCURATION_CLIENTS}
        egress_seen: set[str] = set()
        ingress_seen: set[str] = set()
        for pol in selecting:
            v += _peers_outside(pol, service, "egress", allowed_egress, egress_seen)
            v += _peers_outside(pol, service, "ingress", allowed_ingress, ingress_seen)
        for need in sorted(required_egress - egress_seen):
            v.append(f"Deployment/{service}: no egress to {need}")
        for need in sorted({"ingress-controller", "otel-collector"} - ingress_seen):
            v.append(f"Deployment/{service}: no ingress from {need}")
    return v


_PEERS = {"egress": ("to", "may reach any destination", "egress to"),
          "ingress": ("from", "may be reached from anywhere", "ingress from")}


def _peers_outside(pol: dict[str, Any], service: str, direction: str, allowed: set[str],
                   seen: set[str]) -> list[str]:
    """The policy's rules in one direction whose peers are not allowed (adds each peer's category to seen)."""
    side, open_text, verb = _PEERS[direction]
    name, v = pol["metadata"]["name"], []
    for rule in pol["spec"].get(direction) or []:
        peers = rule.get(side)
        if not peers:
            v.append(f"NetworkPolicy/{name}: {service} {open_text}")
            continue
        for peer in peers:
            cat = _peer_category(peer, rule.get("ports") or [])
            seen.add(cat)
            if cat not in allowed:
                v.append(f"NetworkPolicy/{name}: {service} {verb} {cat} {peer} is not allowed")
    return v


def check_ingress_and_telemetry(objs: list[dict[str, Any]]) -> list[str]:
    v: list[str] = []
    ingresses = of_kind(objs, "Ingress")
    if not ingresses:
        v.append("Ingress: missing")
    routed: set[str] = set()
    dashboard = False
    for ing in ingresses:
        spec = ing.get("spec") or {}
        tls_hosts = {h for t in spec.get("tls") or [] for h in t.get("hosts") or []}
        for rule in spec.get("rules") or []:
            if rule.get("host") not in tls_hosts:
                v.append(f"{_name(ing)}: host {rule.get('host')} has no TLS")
            for path in (rule.get("http") or {}).get("paths") or []:
                backend = str(dig(path, "backend", "service", "name"))
                routed.add(backend)
                if path.get("path") == "/" and backend == "reporting":
                    dashboard = True
                if path.get("path", "").rstrip("/") in ("/metrics", "/healthz", "/readyz"):
                    v.append(f"{_name(ing)}: exposes {path.get('path')}")
    for service in SERVICES:
        if service not in routed:
            v.append(f"Ingress: no route to {service}")
    if not dashboard:
        v.append("Ingress: the dashboard (/ on reporting) is not routed")
    deps = by_name(objs, "Deployment")
    if "otel-collector" not in deps:
        v.append("Deployment/otel-collector: missing")
    cms = by_name(objs, "ConfigMap")
    if not any(name.startswith("otel-collector-config") for name in cms):
        v.append("ConfigMap/otel-collector-config: missing")
    for sa in of_kind(objs, "ServiceAccount"):
        if sa.get("automountServiceAccountToken") is not False:
            v.append(f"{_name(sa)}: automountServiceAccountToken is not false")
    return v
