"""The shared poller: what it returns, how it gives up, and sync and async checks alike."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from support.polling import NotYet, eventually, eventually_blocking

# Small enough that giving up is quick; nothing here measures time.
TINY = 0.05


def counter(passes_on: int, value: object = "done") -> Callable[[], object]:
    """A check that returns 0 until its ``passes_on``-th call, then ``value``."""
    calls = [0]

    def check() -> object:
        calls[0] += 1
        return value if calls[0] >= passes_on else 0

    return check


async def test_returns_the_first_truthy_value_of_a_sync_check() -> None:
    assert await eventually(counter(3), timeout=5, interval=0) == "done"


async def test_returns_the_first_truthy_value_of_an_async_check() -> None:
    sync_check = counter(3, value={"ready": True})

    async def check() -> object:
        return sync_check()

    assert await eventually(check, timeout=5, interval=0) == {"ready": True}


async def test_a_lambda_returning_a_coroutine_is_awaited() -> None:
    async def ready(count: int) -> list[int]:
        return [1] * count

    assert await eventually(lambda: ready(2), timeout=5) == [1, 1]


def test_blocking_returns_the_first_truthy_value() -> None:
    assert eventually_blocking(counter(2), timeout=5, interval=0) == "done"


async def test_gives_up_with_what_it_waited_for_and_the_last_value() -> None:
    with pytest.raises(NotYet) as caught:
        await eventually(lambda: [], timeout=TINY, interval=0.01, what="3 pods of web")
    message = str(caught.value)
    assert message.startswith("3 pods of web: not yet after 0.05s (")
    assert message.endswith("checks); last returned []")
    assert isinstance(caught.value, AssertionError)


def test_blocking_gives_up_the_same_way() -> None:
    with pytest.raises(NotYet, match=r"^the lease: not yet after 0\.05s .*last returned None$"):
        eventually_blocking(lambda: None, timeout=TINY, interval=0.01, what="the lease")


async def test_checks_once_even_with_no_time_at_all() -> None:
    calls = counter(1)
    assert await eventually(calls, timeout=0) == "done"
    with pytest.raises(NotYet, match=r"\(1 check\); last returned 0$"):
        await eventually(counter(2), timeout=0)


async def test_an_exception_ends_the_wait_at_once() -> None:
    calls: list[int] = []

    def check() -> bool:
        calls.append(1)
        raise KeyError("gone")

    with pytest.raises(KeyError):
        await eventually(check, timeout=5)
    assert calls == [1]


async def test_retried_exceptions_are_reported_when_time_runs_out() -> None:
    def check() -> bool:
        raise ConnectionError("refused")

    with pytest.raises(NotYet) as caught:
        await eventually(check, timeout=TINY, interval=0.01, retry_on=(OSError,), what="the API")
    assert str(caught.value).endswith("last raised ConnectionError: refused")
    assert isinstance(caught.value.__cause__, ConnectionError)


def test_blocking_retries_listed_exceptions_until_the_check_passes() -> None:
    results: list[object] = [ValueError("not parsed yet"), 0, "ok"]

    def check() -> object:
        result = results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    assert eventually_blocking(check, timeout=5, interval=0, retry_on=(ValueError,)) == "ok"


async def test_the_loop_runs_between_checks() -> None:
    flag: list[str] = []
    asyncio.get_running_loop().call_soon(flag.append, "set")
    assert await eventually(lambda: flag, timeout=5, interval=0) == ["set"]


def test_long_values_are_cut_in_the_message() -> None:
    with pytest.raises(NotYet) as caught:
        eventually_blocking(lambda: "", timeout=0, what="x" * 3000)
    assert "x" * 3000 in str(caught.value)  # what is never cut, only what was seen

    class Huge:
        def __bool__(self) -> bool:
            return False

        def __repr__(self) -> str:
            return "y" * 5000

    with pytest.raises(NotYet) as caught:
        eventually_blocking(Huge, timeout=0)
    assert str(caught.value).endswith("y ...")
    assert len(str(caught.value)) < 2200
