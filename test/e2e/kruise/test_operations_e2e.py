"""Operating kruise-manager: the metrics Prometheus scrapes move, /readyz waits for the
caches and the webhook, and with two replicas a killed or stopped leader hands over."""

from __future__ import annotations

import signal
import time
from datetime import datetime

import pytest
from support.e2e_cloneset import E2E_INTERVAL, E2E_TIMEOUT, PodCounter, rolled_out, set_image
from support.kruise_env import LEASE, SYSTEM, KruiseEnv, LocalReplica, Metrics
from support.polling import eventually, eventually_blocking
from support.workloads import cloneset

from kruise.apis.apps.v1alpha1 import CLONESETS
from kruise.runtime.client import Client


def total(metrics: Metrics, metric: str, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(v for (n, ls), v in metrics.items() if n == metric and wanted <= set(ls))


def lease(env: KruiseEnv) -> dict:
    return dict(env.rest.get(f"/apis/coordination.k8s.io/v1/namespaces/{SYSTEM}/leases/{LEASE}"))


def seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


async def test_controller_runtime_series_are_scraped_and_move(
    kruise_env: KruiseEnv, kube: Client, e2e_namespace: str
) -> None:
    leader = kruise_env.leader()
    before = leader.metrics()
    assert total(before, "leader_election_master_status", name=LEASE) == 1
    for metric in ("workqueue_depth", "controller_runtime_reconcile_time_seconds_count"):
        assert any(n == metric for n, _ in before), metric
    await kube.create(CLONESETS, cloneset("metrics", 2), e2e_namespace)
    await eventually(
        lambda: rolled_out(kube, e2e_namespace, "metrics", 2, "nginx:1.25"),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="2 ready pods",
    )
    after = leader.metrics()
    controller = "cloneset-controller"
    for metric, labels in (
        ("controller_runtime_reconcile_total", {"controller": controller, "result": "success"}),
        ("workqueue_adds_total", {"name": controller}),
        ("rest_client_requests_total", {"method": "POST"}),
        ("controller_runtime_webhook_requests_total", {}),
    ):
        assert total(after, metric, **labels) > total(before, metric, **labels), metric


def test_readyz_waits_for_caches_and_the_webhook(kruise_env: KruiseEnv) -> None:
    if kruise_env.local is None:
        pytest.skip("watching a replica start needs local processes")
    replica = kruise_env.start_replica()
    answers: list[tuple[int, str]] = []
    try:

        def ready() -> bool:
            if not replica.alive():
                raise AssertionError(replica.log()[-2000:])
            try:
                answers.append(replica.readyz())
            except OSError:
                return False  # not listening yet
            return answers[-1][0] == 200

        eventually_blocking(ready, timeout=90, interval=0.2, what="the new replica's /readyz")
        first_ok = answers[-1][1]
        assert "cache-sync" in first_ok
        assert "webhook-ready" in first_ok
        # Before it was ready, a check said why: the standby has no leader duty, so it
        # is the caches and the webhook certificates that held it back.
        not_ready = [body for status, body in answers if status != 200]
        if not_ready:
            assert any("failed" in body for body in not_ready)
        metrics = replica.metrics()
        assert total(metrics, "leader_election_master_status", name=LEASE) == 0
    finally:
        kruise_env.kill(replica, signal.SIGTERM)


@pytest.mark.timeout(600)
async def test_two_replicas_standby_finishes_a_rollout_after_sigkill(
    kruise_env: KruiseEnv, kube: Client, e2e_namespace: str
) -> None:
    kruise_env.ensure_replicas(2)
    ns = e2e_namespace
    obj = cloneset(
        "pair", 6, updateStrategy={"type": "ReCreate", "maxSurge": 1, "maxUnavailable": 0}
    )
    await kube.create(CLONESETS, obj, ns)
    await eventually(
        lambda: rolled_out(kube, ns, "pair", 6, "nginx:1.25"),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="6 ready pods",
    )
    old = kruise_env.leader()
    with PodCounter(kube, ns, "pair") as counter:
        await set_image(kube, ns, "pair", "nginx:1.26")
        await eventually(
            lambda: _started(kube, ns),
            timeout=E2E_TIMEOUT,
            interval=E2E_INTERVAL,
            what="the rollout to start before the leader is killed",
        )
        kruise_env.kill(old, signal.SIGKILL)
        new = kruise_env.leader()
        assert new.identity != old.identity
        await eventually(
            lambda: rolled_out(kube, ns, "pair", 6, "nginx:1.26"),
            timeout=240,
            interval=E2E_INTERVAL,
            what="the rollout",
        )
    assert counter.most <= 7
    kruise_env.ensure_replicas(2)


async def _started(kube: Client, ns: str) -> bool:
    cs = await kube.get(CLONESETS, "pair", ns)
    return int(cs.get("status", {}).get("updatedReplicas") or 0) >= 1


def test_sigterm_hands_the_lease_over_without_waiting_for_expiry(kruise_env: KruiseEnv) -> None:
    kruise_env.ensure_replicas(2)
    old = kruise_env.leader()
    duration = float(lease(kruise_env)["spec"]["leaseDurationSeconds"])
    stopped_at = time.time()
    kruise_env.kill(old, signal.SIGTERM)
    if isinstance(old, LocalReplica):
        assert old.popen.returncode == 0
    new = kruise_env.leader()
    assert new.identity != old.identity
    took_over_at = seconds(lease(kruise_env)["spec"]["acquireTime"])
    handover = took_over_at - stopped_at
    # Taken over a released Lease: after an expiry it could not have been this soon.
    assert handover < duration
    print(f"SIGTERM handover after {handover:.2f}s (lease {duration:.0f}s, retry 1s)")
    kruise_env.ensure_replicas(2)
