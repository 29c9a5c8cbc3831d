"""Every policy, in one list."""

from __future__ import annotations

from typing import Any

from .policy_kafka import check_kafka
from .policy_network import check_ingress_and_telemetry, check_mongodb, check_network
from .policy_workloads import check_secrets, check_services, check_workloads
from .policy_workspace import check_workspace

POLICIES = (check_workloads, check_services, check_secrets, check_kafka, check_mongodb, check_network,
            check_ingress_and_telemetry, check_workspace)


def check_policies(objs: list[dict[str, Any]]) -> list[str]:
    violations: list[str] = []
    for policy in POLICIES:
        violations.extend(policy(objs))
    return violations
