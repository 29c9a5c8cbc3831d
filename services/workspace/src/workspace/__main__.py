"""`python -m workspace`: the staff workspace, one process serving the pages (no Kafka; the store holds only
the sign-in sessions)."""

from cii_platform.serve import serve

from .config import Settings
from .entrypoints.http.app import create_app


def main() -> None:
    serve(Settings(), create_app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
