"""`python -m procuration` serves the API and consumes Kafka in one process;
`python -m procuration rotate-master-key --new-key-file F` re-wraps every data key."""

import sys

from cii_platform.serve import serve

from .config import Settings


def main(argv: list[str]) -> int:
    if argv and argv[0] == "rotate-master-key":
        from .rotate import main as rotate

        return rotate(argv[1:])
    from .entrypoints.http.app import create_app

    serve(Settings(), create_app)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
