"""Runnables added to a running manager start at once (a controller whose CRD appeared
later); one that fails ends the run with an error naming the failure."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from kruise.runtime.manager import Manager, ManagerOptions, RunnableFailed

OPTIONS = ManagerOptions(metrics_addr="0", health_probe_addr="0")


class Recorder:
    """A runnable that says when it started and stops when told."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.stopped = False

    async def start(self, stopping: asyncio.Event) -> None:
        self.started.set()
        await stopping.wait()
        self.stopped = True


class Failing:
    async def start(self, stopping: asyncio.Event) -> None:
        raise ValueError("the sky fell")


def manager() -> Manager:
    # Without leader election and informers the manager never calls its client.
    client: Any = object()
    return Manager(client, OPTIONS, registry=CollectorRegistry())


@pytest.mark.parametrize("needs_leader_election", [True, False])
async def test_a_runnable_added_while_running_starts_at_once_and_stops_with_the_rest(
    needs_leader_election: bool,
) -> None:
    mgr, stop = manager(), asyncio.Event()
    first = Recorder()
    mgr.add(first)
    run = asyncio.create_task(mgr.run(stop))
    await asyncio.wait_for(first.started.wait(), 10)

    late = Recorder()
    mgr.add(late, needs_leader_election=needs_leader_election)
    await asyncio.wait_for(late.started.wait(), 10)

    stop.set()
    await asyncio.wait_for(run, 10)
    assert first.stopped
    assert late.stopped


async def test_a_runnable_added_after_the_run_does_not_start() -> None:
    mgr, stop = manager(), asyncio.Event()
    stop.set()
    await asyncio.wait_for(mgr.run(stop), 10)
    late = Recorder()
    mgr.add(late)
    await asyncio.sleep(0)
    assert not late.started.is_set()


async def test_a_failing_runnable_ends_the_run_naming_the_error() -> None:
    mgr = manager()
    steady = Recorder()
    mgr.add(steady)
    mgr.add(Failing())
    with pytest.raises(RunnableFailed, match="ValueError: the sky fell"):
        await asyncio.wait_for(mgr.run(asyncio.Event()), 10)
    assert steady.stopped


async def test_a_late_runnable_that_fails_ends_the_run_too() -> None:
    mgr = manager()
    steady = Recorder()
    mgr.add(steady)
    run = asyncio.create_task(mgr.run(asyncio.Event()))
    await asyncio.wait_for(steady.started.wait(), 10)
    mgr.add(Failing())
    with pytest.raises(RunnableFailed, match="the sky fell"):
        await asyncio.wait_for(run, 10)
