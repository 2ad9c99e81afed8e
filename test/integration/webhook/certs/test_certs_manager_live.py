"""Wired into a Manager as the command wires it: a runnable in every replica (here one
that never leads) whose readiness check gates /readyz until the webhook answers
through the injected CA."""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path

import aiohttp
import pytest
from support.certs import REPAIR_WITHIN, HealthzServer, options_for
from support.polling import eventually

from kruise.runtime.client import LEASES, Client
from kruise.runtime.envtest.ports import free_port
from kruise.runtime.manager import Manager, ManagerOptions
from kruise.runtime.metrics import new_registry
from kruise.webhook.certs import CertController


@pytest.mark.usefixtures("webhook_objects")
async def test_readyz_waits_for_certificates_and_a_reachable_webhook(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    # Another replica holds the Lease for an hour: this one stays a standby throughout.
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    lease_spec = {"holderIdentity": "other-replica", "leaseDurationSeconds": 3600}
    lease_spec |= {"acquireTime": now, "renewTime": now}
    lease = {"metadata": {"name": "kruise-manager", "namespace": namespace}, "spec": lease_spec}
    await client.create(LEASES, lease)
    registry = new_registry(process_collectors=False)
    options = ManagerOptions(
        metrics_addr="0",
        health_probe_addr="127.0.0.1:0",
        leader_election=True,
        leader_election_namespace=namespace,
    )
    manager = Manager(client, options, registry=registry)
    port = free_port()
    certs = CertController(client, options_for(namespace, tmp_path, port=port), registry=registry)
    manager.add(certs, needs_leader_election=False)
    manager.add_readyz("webhook-ready", certs.check_ready)

    stop = asyncio.Event()
    run = asyncio.create_task(manager.run(stop))
    try:
        assert await certs.wait_ready(30), certs.last_error
        host, probe_port = manager.addresses["health"]
        url = f"http://{host}:{probe_port}/readyz/webhook-ready"
        async with aiohttp.ClientSession() as session:

            async def status() -> int:
                async with session.get(url) as response:
                    return response.status

            assert await status() == 500  # certificates in place, nobody serving them
            async with HealthzServer(tmp_path, port):

                async def ok() -> bool:
                    return await status() == 200

                await eventually(ok, timeout=REPAIR_WITHIN, what="/readyz/webhook-ready to pass")
        assert registry.get_sample_value("kruise_webhook_cert_syncs_total", {"result": "success"})
    finally:
        stop.set()
        await asyncio.wait_for(run, 60)
