"""A leader whose Lease is taken stops its controllers at once and says so."""

from __future__ import annotations

import asyncio
import datetime

import pytest

from kruise.runtime.client import LEASES, Client
from kruise.runtime.manager import LeadershipLost, Manager, ManagerOptions
from kruise.runtime.metrics import new_registry


class Counting:
    """A leader-only runnable that records whether it is still running."""

    def __init__(self) -> None:
        self.running = False
        self.cancelled = False

    async def start(self, stopping: asyncio.Event) -> None:
        self.running = True
        try:
            await stopping.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        finally:
            self.running = False


async def test_losing_the_lease_stops_controllers_and_raises(client: Client) -> None:
    registry = new_registry(process_collectors=False)
    options = ManagerOptions(
        metrics_addr="0",
        health_probe_addr="0",
        leader_election=True,
        leader_election_id="stolen",
        leader_election_namespace="default",
        lease_duration=3,
        renew_deadline=2,
        retry_period=1,
    )
    manager = Manager(client, options, registry=registry)
    runnable = Counting()
    manager.add(runnable)
    run = asyncio.create_task(manager.run(asyncio.Event()))
    await asyncio.wait_for(manager.elected.wait(), 30)
    await asyncio.sleep(0.1)
    assert runnable.running
    status = {"name": "stolen"}
    assert registry.get_sample_value("leader_election_master_status", status) == 1

    # Someone else takes the Lease for a long time (as after a network partition).
    lease = await client.get(LEASES, "stolen", "default")
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    lease["spec"].update(holderIdentity="usurper", leaseDurationSeconds=3600, renewTime=now)
    await client.update(LEASES, lease)

    with pytest.raises(LeadershipLost):
        await asyncio.wait_for(run, 30)
    assert runnable.cancelled
    assert not runnable.running
    assert registry.get_sample_value("leader_election_master_status", status) == 0
    # The usurper keeps the Lease: a deposed leader must not release someone else's.
    assert (await client.get(LEASES, "stolen", "default"))["spec"]["holderIdentity"] == "usurper"
