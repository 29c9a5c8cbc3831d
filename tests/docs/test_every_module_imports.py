"""Every module of the library and of every service imports. mypy runs with `ignore_missing_imports`
(for third-party packages without types), which also hides a local import of a module that no longer
exists: this catches it before a process does."""

import importlib
import pkgutil

import pytest

pytestmark = pytest.mark.unit

PACKAGES = ("cii_platform", "signalement", "measures", "procuration", "reporting", "workspace", "notifier")


def modules_of(package: str) -> list[str]:
    root = importlib.import_module(package)
    return [info.name for info in pkgutil.walk_packages(root.__path__, f"{package}.")]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_imports(package: str) -> None:
    failures = []
    for name in modules_of(package):
        try:
            importlib.import_module(name)
        except Exception as exc:  # every failure is reported with its module
            failures.append(f"{name}: {exc!r}")
    assert not failures, "\n".join(failures)
