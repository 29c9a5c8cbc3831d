"""Start-up jobs wait for the service they need (transport errors retried), then stop."""

import httpx
import pytest

from cii_platform.startup import start_up_job

pytestmark = pytest.mark.unit


async def test_a_job_waits_while_the_custodian_is_unreachable_then_runs_once() -> None:
    calls: list[str] = []

    async def job() -> int:
        calls.append("call")
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused")
        return 4

    await start_up_job(job, waiting="waits", done="did %d", retry_seconds=0)()
    assert len(calls) == 3


async def test_until_nothing_left_runs_again_while_a_pass_changes_something() -> None:
    counts = iter([5, 2, 0])

    async def job() -> int:
        return next(counts)

    await start_up_job(job, waiting="waits", done="did %d", retry_seconds=0, until_nothing_left=True)()
    assert next(counts, None) is None


async def test_a_job_gives_up_after_its_attempts_and_does_not_raise() -> None:
    calls = 0

    async def job() -> int:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("connection refused")

    await start_up_job(job, waiting="waits", done="did %d", retry_seconds=0, attempts=3)()
    assert calls == 3


async def test_other_errors_are_not_swallowed() -> None:
    async def job() -> int:
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        await start_up_job(job, waiting="waits", done="did %d", retry_seconds=0)()
