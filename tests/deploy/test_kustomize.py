"""deploy/: kustomize build of each overlay and strict, offline schema validation of every rendered object."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import deploy_checks as dc
import pytest

pytestmark = pytest.mark.deploy

NAMESPACES = {"dev": "cii-dev", "prod": "cii"}


def _generator():
    spec = importlib.util.spec_from_file_location("generate_kafka", dc.DEPLOY / "generate_kafka.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kustomize_is_the_pinned_version(kustomize_bin: Path) -> None:
    out = subprocess.run([str(kustomize_bin), "version"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == dc.KUSTOMIZE_VERSION


@pytest.mark.parametrize("overlay", dc.OVERLAYS)
def test_overlay_builds_into_its_namespace(rendered, overlay: str) -> None:
    objs = rendered[overlay]
    kinds = {o["kind"] for o in objs}
    assert {"Deployment", "Service", "ConfigMap", "ServiceAccount", "PodDisruptionBudget",
            "HorizontalPodAutoscaler", "NetworkPolicy", "Ingress", "Kafka", "KafkaNodePool", "KafkaTopic",
            "KafkaUser", "MongoDBCommunity"} <= kinds
    wrong = [dc._name(o) for o in objs
             if o["kind"] != "Namespace" and o["metadata"].get("namespace") != NAMESPACES[overlay]]
    assert not wrong, f"objects outside namespace {NAMESPACES[overlay]}: {wrong}"


@pytest.mark.parametrize("overlay", dc.OVERLAYS)
def test_every_object_validates_strictly_offline(rendered, overlay: str) -> None:
    errors = dc.schema_errors(rendered[overlay])
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize(
    ("kind", "name", "mutate", "expected"),
    [
        ("Deployment", "signalement", lambda o: o["spec"].__setitem__("replica", 2), "'replica' was unexpected"),
        ("Service", "measures", lambda o: o["spec"]["ports"][0].__setitem__("port", "http"), "'http' is not of type"),
        ("KafkaTopic", "cii.inbound.orp", lambda o: o["spec"].__setitem__("partition", 3),
         "'partition' was unexpected"),
        ("KafkaUser", "inst-orp",
         lambda o: o["spec"]["authorization"]["acls"][0].__setitem__("operations", ["Publish"]),
         "'Publish' is not one of"),
        ("Kafka", "cii-kafka", lambda o: o["spec"]["kafka"]["listeners"][0].__setitem__("type", "public"),
         "'public' is not one of"),
        ("MongoDBCommunity", "cii-mongodb", lambda o: o["spec"].__setitem__("member", 3), "'member' was unexpected"),
    ],
)
def test_schema_validation_rejects_a_bad_object(fresh_render, kind, name, mutate, expected) -> None:
    objs = fresh_render("dev")  # dev has the SCRAM users inst-<code> (prod: OAuth principals system-<code>)
    target = next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)
    mutate(target)
    errors = dc.schema_errors([target])
    assert any(expected in e for e in errors), errors


def test_an_unknown_kind_is_an_error() -> None:
    obj = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "x"}}
    assert dc.schema_errors([obj]) == ["Gadget/x: no schema for example.com/v1 Gadget"]


def test_custom_resource_schemas_are_kept_with_their_source() -> None:
    source = (dc.SCHEMAS / "SOURCE.md").read_text(encoding="utf-8")
    files = sorted(p.relative_to(dc.SCHEMAS).as_posix() for p in dc.SCHEMAS.glob("*/*.json"))
    assert files, "no schema in deploy/schemas"
    for rel in files:
        assert f"`{rel}`" in source, f"deploy/schemas/SOURCE.md does not name the source of {rel}"
        json.loads((dc.SCHEMAS / rel).read_text(encoding="utf-8"))


def test_generated_kafka_resources_are_up_to_date() -> None:
    gen = _generator()
    stale = [str(p) for p, text in gen.outputs().items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    assert not stale, f"run `python deploy/generate_kafka.py`: {stale} are out of date with deploy/topology.yaml"


def test_topology_covers_the_contract_institutions() -> None:
    topo = dc.topology()
    assert set(dc.CONTRACT_INSTITUTIONS) <= set(topo["institutions"])
    assert {s: spec["group"] for s, spec in topo["services"].items()} == {s: c["group"] for s, c in dc.SERVICES.items()}


@pytest.mark.parametrize("name", dc.OPS)
def test_ops_kustomizations_validate(kustomize_bin: Path, name: str) -> None:
    objs = dc.render(name)
    assert objs
    problems = dc.schema_errors(objs) + dc.check_workloads(objs) + dc.check_secrets(objs)
    assert not problems, "\n".join(problems)
