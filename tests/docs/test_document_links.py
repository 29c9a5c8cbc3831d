"""Every document the repository points to exists (issue 14, point 10): the README's links (the signalement
service's README), the Makefile's `see ...` (bench/README.md), the layout of docs/conventions.md."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(ROOT.glob("docs/*.md")), *sorted(ROOT.glob("services/*/README.md")),
            *sorted(ROOT.glob("bench/*.md"))]


def test_every_relative_link_of_the_documents_exists() -> None:
    broken = []
    for document in markdown_files():
        for target in LINK.findall(document.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (document.parent / target).exists():
                broken.append(f"{document.relative_to(ROOT)} -> {target}")
    assert broken == []


def test_the_makefile_points_to_documents_that_exist() -> None:
    named = re.findall(r"see ([\w./-]+\.md)", (ROOT / "Makefile").read_text(encoding="utf-8"))
    assert "bench/README.md" in named
    assert [name for name in named if not (ROOT / name).exists()] == []


def test_the_conventions_layout_names_what_the_shared_library_holds() -> None:
    text = (ROOT / "docs" / "conventions.md").read_text(encoding="utf-8")
    library = ROOT / "libs" / "cii_platform" / "src" / "cii_platform"
    block = text.split("libs/cii_platform/src/cii_platform/", 1)[1].split("services/<name>", 1)[0]
    listed = re.findall(r"^  ([\w]+(?:\.py|/))\s", block, flags=re.MULTILINE)
    assert "telemetry/" in listed
    assert [name for name in listed if not (library / name.rstrip("/")).exists()] == []
