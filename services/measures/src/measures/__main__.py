"""python -m measures: one process serving HTTP, consuming Kafka and relaying the outbox."""

from cii_platform.serve import serve

from .config import Settings
from .entrypoints.http.app import create_app


def main() -> None:
    serve(Settings(), create_app)


if __name__ == "__main__":
    main()
