"""Releasing the Lease on SIGTERM works even when the leader's last renewal reached the
API server but its answer never reached the leader (the renewal was cancelled in
flight): the elector's copy is stale, yet the Lease is still ours to give up."""

from __future__ import annotations

import asyncio
import datetime
import uuid

from kruise.runtime.client import LEASES, Client
from kruise.runtime.manager.leaderelection import LeaderElectionConfig, LeaderElector


async def test_release_after_a_renewal_whose_answer_was_lost(client: Client) -> None:
    name = f"release-{uuid.uuid4().hex[:8]}"
    config = LeaderElectionConfig(
        name, "default", "leader", lease_duration=4, renew_deadline=3, retry_period=1
    )
    elector = LeaderElector(client, config)
    await asyncio.wait_for(elector.acquire(), 30)

    # The renewal the leader sent but never heard back about.
    lease = await client.get(LEASES, name, "default")
    lease["spec"]["renewTime"] = datetime.datetime.now(datetime.UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )
    await client.update(LEASES, lease)

    await elector.release()
    spec = (await client.get(LEASES, name, "default"))["spec"]
    assert not spec.get("holderIdentity")
    assert spec["leaseDurationSeconds"] == 1
    assert not elector.is_leader


async def test_release_leaves_a_lease_someone_else_took_alone(client: Client) -> None:
    name = f"release-{uuid.uuid4().hex[:8]}"
    config = LeaderElectionConfig(
        name, "default", "leader", lease_duration=4, renew_deadline=3, retry_period=1
    )
    elector = LeaderElector(client, config)
    await asyncio.wait_for(elector.acquire(), 30)

    lease = await client.get(LEASES, name, "default")
    lease["spec"]["holderIdentity"] = "usurper"
    await client.update(LEASES, lease)

    await elector.release()
    spec = (await client.get(LEASES, name, "default"))["spec"]
    assert spec["holderIdentity"] == "usurper"
