"""Make the test helper modules (notifier_fakes, notifier_process) importable by name."""

import sys
from pathlib import Path

for folder in ("unit", "integration"):
    path = str(Path(__file__).parent / folder)
    if path not in sys.path:
        sys.path.insert(0, path)
