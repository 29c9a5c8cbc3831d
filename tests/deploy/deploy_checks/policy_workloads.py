"""Policies on workloads (security context, resources, probes, images), services and secrets."""

from __future__ import annotations

import re
from typing import Any

from ._base import KAFKA_CLUSTER, SERVICES
from .objects import (
    by_name,
    configmap_env,
    containers,
    image_is_pinned,
    of_kind,
    pod_labels,
    pod_spec,
    selector_matches,
    service_deployments,
)
from .render import topology
from .schemas import _name
from .topics import expected_service_access


# --------------------------------------------------------------------------------------------------- policies
def check_workloads(objs: list[dict[str, Any]]) -> list[str]:
    """Every pod template: non-root, no privilege escalation, read-only root, capabilities dropped, resources set,
    pinned images; every Deployment: probes and a PodDisruptionBudget."""
    v: list[str] = []
    pdbs = of_kind(objs, "PodDisruptionBudget")
    for obj in objs:
        spec = pod_spec(obj)
        if spec is None:
            continue
        name = _name(obj)
        pod_sc = spec.get("securityContext") or {}
        if spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC"):
            v.append(f"{name}: uses the host's network/PID/IPC namespace")
        for vol in spec.get("volumes") or []:
            if "hostPath" in vol:
                v.append(f"{name}: hostPath volume {vol.get('name')}")
        if pod_sc.get("runAsUser") == 0:
            v.append(f"{name}: pod runs as uid 0")
        if spec.get("automountServiceAccountToken") is not False:
            v.append(f"{name}: automountServiceAccountToken is not false")
        for c in containers(spec):
            cname = f"{name} container {c.get('name')}"
            sc = c.get("securityContext") or {}
            non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
            uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
            if non_root is not True:
                v.append(f"{cname}: runAsNonRoot is not true (non-root)")
            if uid == 0:
                v.append(f"{cname}: runs as uid 0 (non-root)")
            if sc.get("allowPrivilegeEscalation") is not False:
                v.append(f"{cname}: allowPrivilegeEscalation is not false")
            if sc.get("privileged"):
                v.append(f"{cname}: privileged")
            if sc.get("readOnlyRootFilesystem") is not True:
                v.append(f"{cname}: readOnlyRootFilesystem is not true")
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                v.append(f"{cname}: capabilities are not dropped (drop: [ALL])")
            if (sc.get("capabilities") or {}).get("add"):
                v.append(f"{cname}: adds capabilities {sc['capabilities']['add']}")
            res = c.get("resources") or {}
            for section in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in (res.get(section) or {}):
                        v.append(f"{cname}: resources.{section}.{resource} is not set")
            image = c.get("image") or ""
            if not image_is_pinned(image):
                v.append(f"{cname}: image {image!r} is not pinned (latest or no tag)")
            if obj.get("kind") == "Deployment" and c in (spec.get("containers") or []):
                for probe in ("readinessProbe", "livenessProbe"):
                    if not c.get(probe):
                        v.append(f"{cname}: no {probe}")
        if obj.get("kind") == "Deployment":
            labels = pod_labels(obj)
            if not any(selector_matches((p.get("spec") or {}).get("selector"), labels) for p in pdbs):
                v.append(f"{name}: no PodDisruptionBudget selects its pods")
    return v


def check_services(objs: list[dict[str, Any]]) -> list[str]:
    """The four services: present, probes on /readyz and /healthz, own ServiceAccount without token, an HPA bounded
    by the partitions of what they consume, environment consistent with docs/conventions.md, /metrics scraped."""
    v: list[str] = []
    deployments = service_deployments(objs)
    services = by_name(objs, "Service")
    accounts = by_name(objs, "ServiceAccount")
    hpas = of_kind(objs, "HorizontalPodAutoscaler")
    topics = {t["spec"].get("topicName", t["metadata"]["name"]): t for t in of_kind(objs, "KafkaTopic")}
    codes = [c.lower() for c in topology()["institutions"]]
    for service, conf in SERVICES.items():
        dep = deployments.get(service)
        if dep is None:
            v.append(f"Deployment/{service}: missing")
            continue
        spec = pod_spec(dep) or {}
        main = next((c for c in spec.get("containers") or [] if c.get("name") == service), None)
        if main is None:
            v.append(f"Deployment/{service}: no container named {service}")
            continue
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            got = ((main.get(probe) or {}).get("httpGet") or {}).get("path")
            if got != path:
                v.append(f"Deployment/{service}: {probe} path is {got!r}, not {path}")
        sa_name = spec.get("serviceAccountName")
        if not sa_name or sa_name == "default":
            v.append(f"Deployment/{service}: no dedicated ServiceAccount")
        elif sa_name not in accounts:
            v.append(f"Deployment/{service}: ServiceAccount {sa_name} is not rendered")
        elif accounts[sa_name].get("automountServiceAccountToken") is not False:
            v.append(f"ServiceAccount/{sa_name}: automountServiceAccountToken is not false")
        if spec.get("automountServiceAccountToken") is not False:
            v.append(f"Deployment/{service}: automountServiceAccountToken is not false")
        # ports and environment
        env = configmap_env(objs, main)
        prefix = service.upper()
        ports = {p.get("name"): p.get("containerPort") for p in main.get("ports") or []}
        if ports.get("http") != conf["port"]:
            v.append(f"Deployment/{service}: container port http is {ports.get('http')}, not {conf['port']}")
        if env.get(f"{prefix}_HTTP_PORT") != str(conf["port"]):
            got = env.get(f"{prefix}_HTTP_PORT")
            v.append(f"Deployment/{service}: {prefix}_HTTP_PORT is {got!r}, not {conf['port']}")
        if env.get(f"{prefix}_MONGODB_DATABASE") != conf["db"]:
            v.append(f"Deployment/{service}: {prefix}_MONGODB_DATABASE is not {conf['db']}")
        if env.get("CII_HTTP_HOST") != "0.0.0.0":
            v.append(f"Deployment/{service}: CII_HTTP_HOST is not 0.0.0.0")
        if env.get("PROCURATION_URL") != f"http://procuration:{SERVICES['procuration']['port']}":
            v.append(f"Deployment/{service}: PROCURATION_URL does not name the procuration Service")
        if not env.get("KAFKA_BOOTSTRAP_SERVERS", "").startswith(f"{KAFKA_CLUSTER}-kafka-bootstrap:"):
            v.append(f"Deployment/{service}: KAFKA_BOOTSTRAP_SERVERS does not name the Strimzi bootstrap Service")
        if not env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").startswith("http://otel-collector:"):
            v.append(f"Deployment/{service}: OTEL_EXPORTER_OTLP_ENDPOINT does not name the collector")
        mongo_env = next((e for e in main.get("env") or [] if e.get("name") == "MONGODB_URL"), None)
        if not mongo_env or "secretKeyRef" not in (mongo_env.get("valueFrom") or {}):
            v.append(f"Deployment/{service}: MONGODB_URL does not come from a Secret reference")
        svc = services.get(service)
        if svc is None:
            v.append(f"Service/{service}: missing")
        else:
            sports = {p.get("name"): p for p in (svc.get("spec") or {}).get("ports") or []}
            if (sports.get("http") or {}).get("port") != conf["port"]:
                v.append(f"Service/{service}: port http is not {conf['port']}")
            if not selector_matches({"matchLabels": (svc.get("spec") or {}).get("selector") or {}}, pod_labels(dep)):
                v.append(f"Service/{service}: selector does not match the Deployment's pods")
        annotations = ((dep["spec"]["template"].get("metadata") or {}).get("annotations")) or {}
        scraped = annotations.get("prometheus.io/scrape") == "true"
        if not scraped or annotations.get("prometheus.io/port") != str(conf["port"]):
            v.append(f"Deployment/{service}: /metrics is not annotated for scraping on port {conf['port']}")
        # autoscaling bounded by the consumer group's partitions
        hpa = next((h for h in hpas if (h["spec"].get("scaleTargetRef") or {}).get("name") == service), None)
        if hpa is None:
            v.append(f"Deployment/{service}: no HorizontalPodAutoscaler")
        else:
            consumed = expected_service_access(service, codes)["read"]
            partitions = [topics[t]["spec"].get("partitions", 1) for t in consumed if t in topics]
            limit = max(partitions) if partitions else 1
            hmax, hmin = hpa["spec"].get("maxReplicas", 0), hpa["spec"].get("minReplicas", 1)
            if hmax > limit:
                v.append(f"HorizontalPodAutoscaler/{hpa['metadata']['name']}: maxReplicas {hmax} exceeds the {limit} "
                         "partitions of the topics it consumes")
            if hmin > hmax:
                v.append(f"HorizontalPodAutoscaler/{hpa['metadata']['name']}: minReplicas > maxReplicas")
    return v


def check_secrets(objs: list[dict[str, Any]]) -> list[str]:
    """Secret references only: no Secret object, no literal credential in env or ConfigMaps."""
    v: list[str] = []
    secretish = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE|API_KEY|_KEY)$", re.I)
    for obj in objs:
        if obj.get("kind") == "Secret":
            v.append(f"{_name(obj)}: a Secret with its values is rendered (reference Secrets, never store them)")
        if obj.get("kind") == "ConfigMap":
            for key, value in (obj.get("data") or {}).items():
                if "-----BEGIN" in str(value) or (secretish.search(key) and not key.endswith("_FILE")):
                    v.append(f"{_name(obj)}: key {key} looks like a secret value")
        spec = pod_spec(obj)
        if spec is None:
            continue
        for c in containers(spec):
            for item in c.get("env") or []:
                if "value" in item and secretish.search(item["name"]):
                    v.append(f"{_name(obj)} container {c.get('name')}: env {item['name']} has a literal value")
    return v
