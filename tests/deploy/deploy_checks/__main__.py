"""`python -m deploy_checks`: render both overlays, validate, check policies, compose, the Dockerfile."""

import sys

from .cli import main

sys.exit(main(sys.argv[1:]))
