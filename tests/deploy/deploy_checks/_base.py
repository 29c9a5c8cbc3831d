"""Offline validation of deploy/ (Kubernetes) and docker-compose.yml: tools, rendering, schemas, policies.

Used by the tests in this directory and by scripts/validate_deploy.sh:

    PYTHONPATH=tests/deploy python -m deploy_checks               # render both overlays, validate, policies, compose
    PYTHONPATH=tests/deploy python -m deploy_checks --render prod  # print the rendered prod overlay

Nothing here talks to a cluster or a Docker engine. The tools are built from the Go module proxy into
${CII_CACHE_DIR:-~/.cache/cii-platform}/bin when they are missing (a throwaway module; `go install` alone can fail here
with "403 ... loading deprecation"), never into the repository.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
SCHEMAS = DEPLOY / "schemas"
COMPOSE_FILE = REPO / "docker-compose.yml"
OVERLAYS = ("dev", "prod")

KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION = "v5.8.2"
COMPOSE_MODULE = "github.com/docker/compose/v2"
COMPOSE_VERSION = "v2.40.3"
# the Kubernetes version the manifests are validated against (schemas shipped by kubernetes-validate)
K8S_VERSION = os.environ.get("CII_K8S_VERSION", "1.33.0")

# ---------------------------------------------------------------------------------------------- the platform
# docs/conventions.md, "Processes and ports"
SERVICES: dict[str, dict[str, Any]] = {
    "signalement": {"port": 8001, "db": "cii_signalement", "group": "cii-signalement"},
    "measures": {"port": 8002, "db": "cii_measures", "group": "cii-measures"},
    "procuration": {"port": 8003, "db": "cii_procuration", "group": "cii-procuration"},
    "reporting": {"port": 8004, "db": "cii_reporting", "group": "cii-reporting"},
    "notifier": {"port": 8006, "db": "cii_notifier", "group": "cii-notifier"},
}
# docs/contract.md section 9: the staff workspace (pages for people; no Kafka, calls the four APIs; its own
# database holds only the sign-in sessions)
WORKSPACE = {"name": "workspace", "port": 8005, "db": "cii_workspace"}
# docs/contract.md section 4: first and second circle (the reference data may grow: deploy/topology.yaml is a superset)
CONTRACT_INSTITUTIONS = [
    "ORP", "LMMT", "OCPS", "CMS", "OASI", "T1", "OSP", "OAI",
    "OSAMA", "EPCL", "BCI", "SUVA", "OES", "SEC2", "OPE", "CDTEA", "SPPEA", "SPPA", "SPPHA",
]
INTERNAL_TOPICS = {  # written by one service each (cii_platform.contracts.topics)
    "signalement": "cii.internal.signalement.v1",
    "measures": "cii.internal.measures.v1",
    "procuration": "cii.internal.procuration.v1",
    "reporting": "cii.internal.reporting.v1",
}
# which internal topics each service consumes besides every inbound topic (its consume_internal subscriptions);
# each writes only its own internal topic
INTERNAL_READS = {
    "signalement": {INTERNAL_TOPICS["measures"], INTERNAL_TOPICS["procuration"]},
    "measures": {INTERNAL_TOPICS["signalement"], INTERNAL_TOPICS["procuration"]},
    "procuration": {INTERNAL_TOPICS["signalement"], INTERNAL_TOPICS["measures"]},
    "reporting": set(INTERNAL_TOPICS.values()),
    "notifier": {INTERNAL_TOPICS["signalement"], INTERNAL_TOPICS["measures"], INTERNAL_TOPICS["procuration"]},
}
# the services that read no inbound topic (only internal topics): the notifier
INTERNAL_ONLY = {"notifier"}
# the services that send e-mail through the SMTP relay (an address outside the cluster)
MAIL_SENDERS = {"notifier"}
SMTP_PORTS = {25, 465, 587}
# the services that call procuration's HTTP API for decisions and keys
PROCURATION_CLIENTS = {"signalement", "measures"}
INBOUND_MAX_RETENTION_MS = 7 * 24 * 3600 * 1000
KAFKA_CLUSTER = "cii-kafka"
MONGODB_POD_LABEL = {"app": "cii-mongodb-svc"}
INGRESS_CONTROLLER_NAMESPACE = "ingress-nginx"

# Flip to True once cii_platform.contracts.topics.all_topics() exists: its absence then fails the policy test.
REQUIRE_CONTRACT_TOPICS = False


def cache_bin() -> Path:
    base = os.environ.get("CII_CACHE_DIR") or str(Path.home() / ".cache" / "cii-platform")
    return Path(base) / "bin"
