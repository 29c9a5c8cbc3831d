#!/usr/bin/env python3
"""Convert CustomResourceDefinitions' openAPIV3Schema into strict JSON Schema files (offline validation).

    python deploy/schemas/convert_crds.py SOURCE [SOURCE ...]

A SOURCE is a CRD YAML file, or ARCHIVE!MEMBER for a CRD inside a jar/zip (e.g. a Maven artifact).
Each served version of each CRD becomes deploy/schemas/<group>/<kind lower-case>_<version>.json, the layout
kubeconform's -schema-location '{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json' also reads.

The conversion follows kubeconform's openapi2jsonschema in strict mode:
- an object that declares properties admits no other property (additionalProperties: false), unless it is
  marked x-kubernetes-preserve-unknown-fields;
- nullable: true adds "null" to the type; x-kubernetes-int-or-string becomes integer or string;
- apiVersion and kind are pinned to the CRD's group/version and kind;
- descriptions are dropped (size); x-kubernetes-validations (CEL rules) are kept but not evaluated.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parent
DROP = {"description"}


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in DROP:
            continue
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {name: _convert(sub) for name, sub in value.items()}
        else:
            out[key] = _convert(value)
    if out.pop("x-kubernetes-int-or-string", False):
        out.pop("type", None)
        out.pop("format", None)
        out["type"] = ["integer", "string"]
    if out.pop("nullable", False) and "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]
    preserve = out.get("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    return out


def _load(source: str) -> dict[str, Any]:
    if "!" in source:
        archive, member = source.split("!", 1)
        with zipfile.ZipFile(archive) as zf:
            return yaml.safe_load(zf.read(member))
    return yaml.safe_load(Path(source).read_text(encoding="utf-8"))


def convert_crd(crd: dict[str, Any]) -> dict[Path, dict[str, Any]]:
    group = crd["spec"]["group"]
    kind = crd["spec"]["names"]["kind"]
    results = {}
    for version in crd["spec"]["versions"]:
        if not version.get("served", False):
            continue
        schema = _convert(version["schema"]["openAPIV3Schema"])
        props = schema.setdefault("properties", {})
        props["apiVersion"] = {"type": "string", "enum": [f"{group}/{version['name']}"]}
        props["kind"] = {"type": "string", "enum": [kind]}
        props["metadata"] = {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "namespace": {"type": "string"}},
        }
        schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
        schema["additionalProperties"] = False
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"{kind} {group}/{version['name']}",
            **schema,
        }
        results[OUT / group / f"{kind.lower()}_{version['name']}.json"] = schema
    return results


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    for source in argv:
        for path, schema in convert_crd(_load(source)).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            print(f"{source} -> {path.relative_to(OUT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
