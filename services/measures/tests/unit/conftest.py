import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the factories module next to the tests
