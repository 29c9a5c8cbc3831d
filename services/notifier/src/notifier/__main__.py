"""`python -m notifier`: one process serving the inbox API, consuming the internal topics, sending e-mail."""

from cii_platform.serve import serve

from .config import Settings
from .entrypoints.http.app import create_app


def main() -> None:
    serve(Settings(), create_app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
