"""Policies on the staff workspace (pages for people: no Kafka, its own sessions database)."""

from __future__ import annotations

from typing import Any

from ._base import SERVICES, WORKSPACE
from .objects import by_name, configmap_env, dig, of_kind, pod_labels, pod_spec, selector_matches
from .policy_network import _peer_category


def check_workspace(objs: list[dict[str, Any]]) -> list[str]:
    """The workspace: its Deployment and Service on 8005, probes, no Kafka access and no secret mounted, its
    sign-in sessions in its own database (MONGODB_URL from its own user's Secret), the local demo sign-in off,
    its own NetworkPolicy reaching only the four APIs and its database (and the collector, DNS), reached only
    through the Ingress controller, and routed by an Ingress with TLS."""
    v: list[str] = []
    name, port = WORKSPACE["name"], WORKSPACE["port"]
    dep = by_name(objs, "Deployment").get(name)
    if dep is None:
        return [f"Deployment/{name}: missing"]
    spec = pod_spec(dep) or {}
    main = next((c for c in spec.get("containers") or [] if c.get("name") == name), None)
    if main is None:
        return [f"Deployment/{name}: no container named {name}"]
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        if ((main.get(probe) or {}).get("httpGet") or {}).get("path") != path:
            v.append(f"Deployment/{name}: {probe} is not on {path}")
    if {p.get("name"): p.get("containerPort") for p in main.get("ports") or []}.get("http") != port:
        v.append(f"Deployment/{name}: container port http is not {port}")
    env = configmap_env(objs, main)
    if env.get("WORKSPACE_HTTP_PORT") != str(port):
        v.append(f"Deployment/{name}: WORKSPACE_HTTP_PORT is not {port}")
    if env.get("WORKSPACE_LOCAL_SIGN_IN", "true").lower() != "false":
        v.append(f"Deployment/{name}: the local demo sign-in is not off (WORKSPACE_LOCAL_SIGN_IN=false)")
    for service in SERVICES:
        url = env.get(f"{service.upper()}_URL")
        if url != f"http://{service}:{SERVICES[service]['port']}":
            v.append(f"Deployment/{name}: {service.upper()}_URL does not name the {service} Service")
    labels = pod_labels(dep)
    if labels.get("cii.vs.ch/kafka-client") == "true":
        v.append(f"Deployment/{name}: labelled cii.vs.ch/kafka-client, but it needs no Kafka")
    if labels.get("cii.vs.ch/mongodb-client") != "true":
        v.append(f"Deployment/{name}: not labelled cii.vs.ch/mongodb-client (its sessions are in the store)")
    store = next((dig(e, "valueFrom", "secretKeyRef", "name") for e in main.get("env") or []
                  if e.get("name") == "MONGODB_URL"), None)
    if store != f"mongodb-{name}-connection":
        v.append(f"Deployment/{name}: MONGODB_URL is not read from the Secret mongodb-{name}-connection")
    if any("secret" in vol for vol in spec.get("volumes") or []):
        v.append(f"Deployment/{name}: mounts a Secret, but it holds no secret of the platform")
    policies = [p for p in of_kind(objs, "NetworkPolicy")
                if p["spec"].get("podSelector") not in ({}, None)
                and selector_matches(p["spec"]["podSelector"], labels)]
    if not policies:
        v.append(f"Deployment/{name}: no NetworkPolicy of its own")
    egress = {_peer_category(peer, rule.get("ports") or []) for p in policies
              for rule in p["spec"].get("egress") or [] for peer in rule.get("to") or [{}]}
    ingress = {_peer_category(peer, rule.get("ports") or []) for p in policies
               for rule in p["spec"].get("ingress") or [] for peer in rule.get("from") or [{}]}
    # Keycloak where it runs: the sign-in's token exchange and the realm's keys
    allowed_egress = {"dns", "otel-collector", "keycloak", "mongodb"} | {f"service:{s}" for s in SERVICES}
    for extra in sorted(egress - allowed_egress):
        v.append(f"Deployment/{name}: egress to {extra} is not allowed")
    for need in sorted(({f"service:{s}" for s in SERVICES} | {"mongodb"}) - egress):
        v.append(f"Deployment/{name}: no egress to {need}")
    for extra in sorted(ingress - {"ingress-controller", "otel-collector"}):
        v.append(f"Deployment/{name}: ingress from {extra} is not allowed")
    routed = []
    for ing in of_kind(objs, "Ingress"):
        tls_hosts = {h for t in (ing.get("spec") or {}).get("tls") or [] for h in t.get("hosts") or []}
        routed += [rule for rule in (ing.get("spec") or {}).get("rules") or [] if rule.get("host") in tls_hosts
                   and any(dig(p, "backend", "service", "name") == name
                           for p in (rule.get("http") or {}).get("paths") or [])]
    if not routed:
        v.append(f"Ingress: no TLS route to {name}")
    return v
