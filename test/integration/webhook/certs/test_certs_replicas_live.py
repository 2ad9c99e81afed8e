"""Replicas that start together, or replace a bad Secret together, end up serving the
same CA: the one the API server accepted (OpenKruise #453)."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.certs import SECRET, dir_files, injected_everywhere, options_for, ready, running

from kruise.runtime.client import SECRETS, Client
from kruise.runtime.envtest import ControlPlane
from kruise.webhook.certs import CertBundle, CertController, problem, renew, serving_names
from kruise.webhook.certs.store import Outcome, bundle_from_secret, ensure

NAMES = serving_names("kruise-webhook-service", "ns")


@pytest.fixture
async def second_client(control_plane: ControlPlane) -> AsyncIterator[Client]:
    """Another replica's own connection."""
    async with await Client.connect(control_plane.kubeconfig_path) as client:
        yield client


@pytest.mark.usefixtures("webhook_objects")
async def test_two_replicas_starting_together_share_one_ca(
    client: Client, second_client: Client, namespace: str, tmp_path: Path
) -> None:
    first = CertController(client, options_for(namespace, tmp_path / "a"))
    second = CertController(second_client, options_for(namespace, tmp_path / "b"))
    async with running(first), running(second):
        await asyncio.gather(ready(first), ready(second))
        stored = bundle_from_secret(await client.get(SECRETS, SECRET, namespace))
        assert dir_files(tmp_path / "a") == dir_files(tmp_path / "b") == stored.files()
        assert first.bundle == second.bundle == stored
        assert await injected_everywhere(client, stored.ca_cert)


class Racer:
    """``ensure``'s inputs for one replica; ``make`` waits at a barrier, so that both
    replicas have read the Secret before either writes it."""

    def __init__(self, barrier: asyncio.Barrier) -> None:
        self.barrier = barrier
        self.now = datetime.datetime.now(datetime.UTC)
        self.made: CertBundle | None = None

    def check(self, bundle: CertBundle) -> str | None:
        return problem(bundle, NAMES, self.now)

    async def make(self, current: CertBundle | None) -> CertBundle:
        await self.barrier.wait()
        self.made = await asyncio.to_thread(renew, current, NAMES, self.now)
        return self.made


async def test_racing_creators_adopt_the_winners_bundle(
    client: Client, second_client: Client, namespace: str
) -> None:
    barrier = asyncio.Barrier(2)
    a, b = Racer(barrier), Racer(barrier)
    results = await asyncio.gather(
        ensure(client, namespace, "race", a.check, a.make),
        ensure(second_client, namespace, "race", b.check, b.make),
    )
    assert sorted(r.outcome for r in results) == [Outcome.ADOPTED, Outcome.CREATED]
    stored = bundle_from_secret(await client.get(SECRETS, "race", namespace))
    assert results[0].bundle == results[1].bundle == stored
    assert a.made != b.made  # both generated; only one was kept


async def test_racing_replacers_settle_on_one_bundle(
    client: Client, second_client: Client, namespace: str
) -> None:
    # The helm chart pre-creates the Secret empty: both replicas find it unusable.
    await client.create(
        SECRETS, {"metadata": {"name": "race", "namespace": namespace}, "type": "Opaque"}
    )
    barrier = asyncio.Barrier(2)
    a, b = Racer(barrier), Racer(barrier)
    results = await asyncio.gather(
        ensure(client, namespace, "race", a.check, a.make),
        ensure(second_client, namespace, "race", b.check, b.make),
    )
    assert sorted(r.outcome for r in results) == [Outcome.KEPT, Outcome.REPLACED]
    stored = bundle_from_secret(await client.get(SECRETS, "race", namespace))
    assert results[0].bundle == results[1].bundle == stored
    assert problem(stored, NAMES, a.now) is None
