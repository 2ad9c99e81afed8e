"""The worker loop's outcomes, driven through a channel source (no API server needed)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import structlog
import structlog.testing

from kruise.runtime.client import Forbidden, NotFound
from kruise.runtime.clock import FakeClock
from kruise.runtime.controller import (
    Channel,
    Controller,
    EnqueueRequestForObject,
    Funcs,
    is_panic,
    outcome_label,
)
from kruise.runtime.metrics import ControllerMetrics, new_registry
from kruise.runtime.reconcile import ReconcileError, Request, Result, TerminalError
from kruise.runtime.workqueue import ItemExponentialFailureRateLimiter


class Script:
    """A reconciler that answers each call from a script and records the requests."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls: list[Request] = []
        self.in_flight: set[Request] = set()
        self.overlaps = 0
        self.max_in_flight = 0

    async def reconcile(self, request: Request) -> Result:
        self.calls.append(request)
        self.overlaps += request in self.in_flight
        self.in_flight.add(request)
        self.max_in_flight = max(self.max_in_flight, len(self.in_flight))
        try:
            for _ in range(3):
                await asyncio.sleep(0)
            answer = self.answers.pop(0) if self.answers else Result()
            if isinstance(answer, BaseException):
                raise answer
            assert isinstance(answer, Result)
            return answer
        finally:
            self.in_flight.discard(request)


def obj(name: str) -> dict[str, Any]:
    return {"metadata": {"namespace": "ns", "name": name}}


class Harness:
    def __init__(self, reconciler: Script, workers: int = 1) -> None:
        self.clock = FakeClock()
        self.registry = new_registry(process_collectors=False)
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.controller = Controller(
            "demo",
            reconciler,
            workers=workers,
            rate_limiter=ItemExponentialFailureRateLimiter(1.0, 100.0),
            metrics=ControllerMetrics(self.registry),
            clock=self.clock,
        )
        self.controller.watch(Channel(self.events, EnqueueRequestForObject()))
        self.stopping = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Harness:
        self.task = asyncio.create_task(self.controller.start(self.stopping))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stopping.set()
        assert self.task is not None
        await self.task

    def total(self, result: str) -> float | None:
        labels = {"controller": "demo", "result": result}
        return self.registry.get_sample_value("controller_runtime_reconcile_total", labels)

    def counter(self, name: str) -> float | None:
        return self.registry.get_sample_value(name, {"controller": "demo"})


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_success_reconciles_once_per_burst_of_events() -> None:
    script = Script()
    async with Harness(script) as h:
        for _ in range(5):
            h.events.put_nowait(obj("a"))
        await settle()
    assert script.calls == [Request("ns", "a")]
    assert h.total("success") == 1


async def test_error_is_retried_with_backoff_then_succeeds() -> None:
    script = Script(NotFound("gone", status=404, reason="NotFound"), Result())
    async with Harness(script) as h:
        h.events.put_nowait(obj("a"))
        await settle()
        assert len(script.calls) == 1
        assert h.total("error") == 1
        await h.clock.advance(0.5)
        assert len(script.calls) == 1, "retried before the backoff elapsed"
        await h.clock.advance(0.6)
        await settle()
        assert len(script.calls) == 2
    assert h.total("success") == 1
    assert h.counter("controller_runtime_reconcile_errors_total") == 1
    assert h.counter("controller_runtime_reconcile_panics_total") == 0


async def test_terminal_error_is_counted_and_not_retried() -> None:
    script = Script(TerminalError("spec can never work"))
    async with Harness(script) as h:
        h.events.put_nowait(obj("a"))
        await settle()
        await h.clock.advance(1000)
        await settle()
    assert len(script.calls) == 1
    assert h.counter("controller_runtime_terminal_reconcile_errors_total") == 1
    assert h.total("error") == 1


async def test_unexpected_exception_counts_a_panic_and_keeps_the_worker() -> None:
    script = Script(KeyError("spec"), Result())
    async with Harness(script) as h:
        h.events.put_nowait(obj("a"))
        await settle()
        assert h.counter("controller_runtime_reconcile_panics_total") == 1
        h.events.put_nowait(obj("b"))
        await settle()
        assert Request("ns", "b") in script.calls


class ScaleRefused(ReconcileError):
    """A controller's own error type, as the CloneSet's failed scale is."""


async def test_a_reconcile_error_is_retried_and_logged_in_one_line_not_a_panic() -> None:
    refused = ScaleRefused("failed to create 1 pod(s): 403 Forbidden: exceeded quota")
    script = Script(refused, Result())
    with structlog.testing.capture_logs() as captured:
        async with Harness(script) as h:
            h.events.put_nowait(obj("a"))
            await settle()
            await h.clock.advance(1.1)
            await settle()
    assert len(script.calls) == 2, "retried after the backoff"
    assert h.total("error") == 1
    assert h.total("success") == 1
    assert h.counter("controller_runtime_reconcile_errors_total") == 1
    assert h.counter("controller_runtime_reconcile_panics_total") == 0
    [line] = [line for line in captured if line["log_level"] == "error"]
    assert line["event"] == "reconcile error"
    assert line["error"] == str(refused)
    assert "exc_info" not in line, "an expected error carries no traceback"


async def test_a_panic_is_logged_with_its_traceback() -> None:
    script = Script(KeyError("spec"))
    with structlog.testing.capture_logs() as captured:
        async with Harness(script) as h:
            h.events.put_nowait(obj("a"))
            await settle()
    [line] = [line for line in captured if line["log_level"] == "error"]
    assert line["event"] == "reconciler raised unexpectedly"
    assert line["exc_info"] is True
    assert h.counter("controller_runtime_reconcile_panics_total") == 1


@pytest.mark.parametrize(
    ("err", "panic"),
    [
        (ScaleRefused("refused"), False),
        (TerminalError("never"), False),
        (Forbidden("namespace is being terminated", reason="Forbidden"), False),
        (TimeoutError(), False),
        (ConnectionResetError(), False),
        (ExceptionGroup("two", [Forbidden("no"), ScaleRefused("no")]), False),
        (ExceptionGroup("two", [Forbidden("no"), KeyError("x")]), True),
        (KeyError("x"), True),
        (AssertionError(), True),
        (ValueError("x"), True),
    ],
)
def test_what_counts_as_a_panic(err: Exception, panic: bool) -> None:
    assert is_panic(err) is panic


async def test_requeue_after_waits_exactly_that_long() -> None:
    script = Script(Result(requeue_after=30), Result())
    async with Harness(script) as h:
        h.events.put_nowait(obj("a"))
        await settle()
        await h.clock.advance(29)
        await settle()
        assert len(script.calls) == 1
        await h.clock.advance(1)
        await settle()
        assert len(script.calls) == 2
    assert h.total("requeue_after") == 1
    assert h.total("success") == 1


async def test_requeue_uses_the_rate_limiter() -> None:
    script = Script(Result(requeue=True), Result())
    async with Harness(script) as h:
        h.events.put_nowait(obj("a"))
        await settle()
        await h.clock.advance(1.0)
        await settle()
        assert len(script.calls) == 2
    assert h.total("requeue") == 1


async def test_one_key_is_never_reconciled_by_two_workers_at_once() -> None:
    script = Script()
    async with Harness(script, workers=4) as h:
        for _ in range(3):
            for name in ("a", "b"):
                h.events.put_nowait(obj(name))
                await asyncio.sleep(0)
        await settle()
    assert set(script.calls) == {Request("ns", "a"), Request("ns", "b")}
    assert script.overlaps == 0
    assert script.max_in_flight == 2, "the two keys should run in parallel"
    assert h.counter("controller_runtime_max_concurrent_reconciles") == 4


async def test_stop_lets_the_running_reconcile_finish() -> None:
    finished = asyncio.Event()
    release = asyncio.Event()

    class Slow:
        async def reconcile(self, request: Request) -> Result:
            await release.wait()
            finished.set()
            return Result()

    h = Harness(Script())
    h.controller.reconciler = Slow()
    async with h:
        h.events.put_nowait(obj("a"))
        await settle()
        h.stopping.set()
        await settle()
        assert not finished.is_set()
        release.set()
    assert finished.is_set()


async def test_a_cancelled_controller_cancels_the_running_reconcile() -> None:
    # The manager cancels its controllers when the Lease is lost: a reconcile must not
    # go on to its next write.
    release = asyncio.Event()
    wrote_after = asyncio.Event()
    cancelled = asyncio.Event()

    class Writing:
        async def reconcile(self, request: Request) -> Result:
            try:
                await release.wait()
            except asyncio.CancelledError:
                cancelled.set()
                raise
            wrote_after.set()
            return Result()

    h = Harness(Script())
    h.controller.reconciler = Writing()
    task = asyncio.create_task(h.controller.start(h.stopping))
    h.events.put_nowait(obj("a"))
    await settle()
    task.cancel()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cancelled.is_set()
    assert not wrote_after.is_set()


async def test_predicates_filter_channel_events() -> None:
    script = Script()
    h = Harness(script)
    only_b = Funcs(on_generic=lambda o: o["metadata"]["name"] == "b")
    h.controller.sources = [Channel(h.events, EnqueueRequestForObject(), [only_b])]
    async with h:
        h.events.put_nowait(obj("a"))
        h.events.put_nowait(obj("b"))
        await settle()
    assert script.calls == [Request("ns", "b")]


@pytest.mark.parametrize(
    ("answer", "label"),
    [
        (Result(), "success"),
        (Result(requeue=True), "requeue"),
        (Result(requeue_after=1), "requeue_after"),
    ],
)
def test_outcome_labels(answer: Result, label: str) -> None:

    assert outcome_label(answer) == label
    assert outcome_label(RuntimeError()) == "error"


async def test_reconcile_log_lines_carry_controller_object_and_reconcile_id() -> None:
    class Logging:
        async def reconcile(self, request: Request) -> Result:
            structlog.get_logger("demo").info("looked at it")
            return Result()

    h = Harness(Script())
    h.controller.reconciler = Logging()
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as captured:
        async with h:
            h.events.put_nowait(obj("a"))
            h.events.put_nowait(obj("b"))
            await settle()
    lines = [line for line in captured if line["event"] == "looked at it"]
    assert [(line["namespace"], line["name"]) for line in lines] == [("ns", "a"), ("ns", "b")]
    assert all(line["controller"] == "demo" for line in lines)
    assert len({line["reconcile_id"] for line in lines}) == 2


async def test_controllers_sharing_metrics_count_in_their_own_series() -> None:
    registry = new_registry(process_collectors=False)
    metrics = ControllerMetrics(registry)
    clock = FakeClock()
    scripts = {"one": Script(), "two": Script(RuntimeError("boom"))}
    controllers = {
        name: Controller(name, script, metrics=metrics, clock=clock)
        for name, script in scripts.items()
    }
    stopping = asyncio.Event()
    tasks = [asyncio.create_task(c.start(stopping)) for c in controllers.values()]
    await settle()
    controllers["one"].queue.add(Request("ns", "a"))
    controllers["one"].queue.add(Request("ns", "b"))
    controllers["two"].queue.add(Request("ns", "a"))
    await settle()
    stopping.set()
    await asyncio.gather(*tasks)

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert value("controller_runtime_reconcile_total", controller="one", result="success") == 2
    assert value("controller_runtime_reconcile_total", controller="one", result="error") == 0
    assert value("controller_runtime_reconcile_total", controller="two", result="error") == 1
    assert value("controller_runtime_reconcile_total", controller="two", result="success") == 0
    assert value("controller_runtime_reconcile_errors_total", controller="one") == 0
    assert value("controller_runtime_reconcile_errors_total", controller="two") == 1
    assert value("controller_runtime_reconcile_panics_total", controller="two") == 1
    assert value("controller_runtime_reconcile_time_seconds_count", controller="one") == 2
    assert value("controller_runtime_reconcile_time_seconds_count", controller="two") == 1
    for name in scripts:
        assert value("controller_runtime_active_workers", controller=name) == 0


async def test_active_workers_counts_a_running_reconcile() -> None:
    release = asyncio.Event()
    seen: list[float | None] = []

    h = Harness(Script())

    class Waiting:
        async def reconcile(self, request: Request) -> Result:
            seen.append(h.counter("controller_runtime_active_workers"))
            await release.wait()
            return Result()

    h.controller.reconciler = Waiting()
    async with h:
        h.events.put_nowait(obj("a"))
        await settle()
        release.set()
        await settle()
    assert seen == [1]
    assert h.counter("controller_runtime_active_workers") == 0


async def test_a_reconcile_cancelled_midway_counts_its_time_but_no_result() -> None:
    h = Harness(Script())

    class Hanging:
        async def reconcile(self, request: Request) -> Result:
            await asyncio.Event().wait()
            return Result()

    h.controller.reconciler = Hanging()
    task = asyncio.create_task(h.controller._process(Request("ns", "a")))
    await settle()
    assert h.counter("controller_runtime_active_workers") == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert h.counter("controller_runtime_active_workers") == 0
    assert h.counter("controller_runtime_reconcile_time_seconds_count") == 1
    for result in ("success", "error", "requeue", "requeue_after"):
        assert h.total(result) == 0
    assert structlog.contextvars.get_contextvars().get("reconcile_id") is None
