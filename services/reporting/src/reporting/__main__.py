"""`python -m reporting` serves HTTP and consumes Kafka; `python -m reporting rebuild` replays the topics."""

import asyncio
import sys

from cii_platform.serve import serve

from .config import Settings
from .entrypoints.http.app import create_app


def main(argv: list[str]) -> int:
    settings = Settings()
    if argv[:1] == ["rebuild"]:
        from .entrypoints.cli.rebuild import run_rebuild

        summary = asyncio.run(run_rebuild(settings))
        print(summary.describe())
        return 0
    if argv:
        print("usage: python -m reporting [rebuild]", file=sys.stderr)
        return 2
    serve(settings, create_app)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
