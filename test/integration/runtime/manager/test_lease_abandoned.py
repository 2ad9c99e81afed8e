"""A Lease left behind by a manager that vanished (it never renews, never releases): a new
candidate says once whom it waits for, waits out the lease duration and takes it."""

from __future__ import annotations

import asyncio
import datetime
import uuid

import structlog

from kruise.runtime.client import LEASES, Client
from kruise.runtime.manager.leaderelection import LeaderElectionConfig, LeaderElector


def micro_time(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_a_vanished_holder_is_named_once_and_its_lease_taken_after_expiry(
    client: Client,
) -> None:
    name = f"abandoned-{uuid.uuid4().hex[:8]}"
    renewed = datetime.datetime.now(datetime.UTC)
    await client.create(
        LEASES,
        {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "holderIdentity": "vanished-manager",
                "leaseDurationSeconds": 4,
                "acquireTime": micro_time(renewed),
                "renewTime": micro_time(renewed),
                "leaseTransitions": 2,
            },
        },
    )
    config = LeaderElectionConfig(
        name, "default", "newcomer", lease_duration=4, renew_deadline=3, retry_period=1
    )
    elector = LeaderElector(client, config)
    try:
        with structlog.testing.capture_logs() as logs:
            await asyncio.wait_for(elector.acquire(), 60)
        spec = (await client.get(LEASES, name, "default"))["spec"]
    finally:
        await elector.release()

    waits = [line for line in logs if line["event"].startswith("lease held by another")]
    # Several attempts met the same holder; the operator is told once.
    assert len(waits) == 1, logs
    assert waits[0]["holder"] == "vanished-manager"
    assert 0 < waits[0]["expires_in"] <= 4
    [took] = [line for line in logs if line["event"] == "took over an expired lease"]
    assert took["previous_holder"] == "vanished-manager"

    assert spec["holderIdentity"] == "newcomer"
    assert spec["leaseTransitions"] == 3
    assert parse_time(spec["acquireTime"]) >= renewed + datetime.timedelta(seconds=4)
