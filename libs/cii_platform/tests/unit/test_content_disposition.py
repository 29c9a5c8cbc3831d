"""File names in Content-Disposition may hold what a caller sent: the header stays valid Latin-1."""

import pytest
from starlette.responses import Response

from cii_platform.http import content_disposition

pytestmark = pytest.mark.unit


def test_a_file_name_from_the_caller_makes_a_valid_header() -> None:
    headers = content_disposition("attachment", 'access-report-$\U0002573a"x.csv')
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"access-report-$__x.csv\"; filename*=UTF-8''access-report-%24%F0%A5%9C%BA%22x.csv")
    Response(b"", headers=headers)  # Latin-1 only: a raw name would raise here (a 500 for the caller)
