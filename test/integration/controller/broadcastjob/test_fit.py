"""Which nodes a BroadcastJob runs on: selector, affinity, taints, cordons, resources,
and nodes that start or stop fitting later."""

from __future__ import annotations

from support.broadcastjob import Harness, defaulted_job

from kruise.apis.apps.v1alpha1 import BROADCASTJOBS
from kruise.runtime.client import NODES, PODS


def _with_pod_spec(job: dict, **fields: object) -> dict:
    job["spec"]["template"]["spec"].update(fields)
    return job


async def test_node_selector_picks_the_labelled_nodes(harness: Harness) -> None:
    await harness.create_node("a", labels={"disk": "ssd"})
    await harness.create_node("b", labels={"disk": "hdd"})
    await harness.create_node("c")
    await harness.create(_with_pod_spec(defaulted_job("sel"), nodeSelector={"disk": "ssd"}))

    pods = await harness.by_node("sel", 1)
    assert set(pods) == {"a"}
    await harness.status_is("sel", desired=1, active=1)


async def test_required_affinity_ors_terms_and_matches_fields(harness: Harness) -> None:
    await harness.create_node("a", labels={"zone": "z1", "gen": "5"})
    await harness.create_node("b", labels={"zone": "z2", "gen": "3"})
    await harness.create_node("c", labels={"zone": "z3", "gen": "9"})
    await harness.create_node("d", labels={"zone": "z1", "gen": "1"})
    terms = [
        # zone z1 and gen above 2: a, not d
        {
            "matchExpressions": [
                {"key": "zone", "operator": "In", "values": ["z1"]},
                {"key": "gen", "operator": "Gt", "values": ["2"]},
            ]
        },
        # or the node named b
        {
            "matchFields": [
                {"key": "metadata.name", "operator": "In", "values": [harness.node_name("b")]}
            ]
        },
    ]
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}
        }
    }
    await harness.create(_with_pod_spec(defaulted_job("aff"), affinity=affinity))

    pods = await harness.by_node("aff", 2)
    assert set(pods) == {"a", "b"}
    await harness.status_is("aff", desired=2)


async def test_untolerated_taints_and_cordons_keep_pods_away(harness: Harness) -> None:
    await harness.create_node("plain")
    await harness.create_node(
        "nosched", taints=[{"key": "dedicated", "value": "x", "effect": "NoSchedule"}]
    )
    await harness.create_node("noexec", taints=[{"key": "gpu", "effect": "NoExecute"}])
    await harness.create_node("prefer", taints=[{"key": "soft", "effect": "PreferNoSchedule"}])
    await harness.create_node("cordoned", unschedulable=True)
    await harness.create(defaulted_job("taints"))

    pods = await harness.by_node("taints", 2)
    assert set(pods) == {"plain", "prefer"}

    tolerations = [
        {"key": "dedicated", "operator": "Equal", "value": "x", "effect": "NoSchedule"},
        {"key": "gpu", "operator": "Exists"},
        {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
    ]
    await harness.create(_with_pod_spec(defaulted_job("tolerant"), tolerations=tolerations))
    pods = await harness.by_node("tolerant", 5)
    assert set(pods) == {"plain", "nosched", "noexec", "prefer", "cordoned"}


async def test_resources_count_the_pods_already_bound(harness: Harness) -> None:
    await harness.create_node("roomy")
    await harness.create_node("busy", allocatable={"cpu": "1", "memory": "1Gi", "pods": "10"})
    await harness.create_node("full", allocatable={"cpu": "8", "memory": "8Gi", "pods": "1"})
    await harness.create_node("small", allocatable={"cpu": "4", "memory": "256Mi", "pods": "10"})
    await harness.bound_pod("hog", "busy", cpu="800m")
    await harness.bound_pod("only", "full", cpu="10m")
    job = defaulted_job("res")
    job["spec"]["template"]["spec"]["containers"][0]["resources"] = {
        "requests": {"cpu": "500m", "memory": "512Mi"}
    }
    await harness.create(job)

    pods = await harness.by_node("res", 1)
    assert set(pods) == {"roomy"}
    await harness.status_is("res", desired=1)


async def test_a_removed_taint_gives_the_node_its_pod(harness: Harness) -> None:
    await harness.create_node("a")
    await harness.create_node("b", taints=[{"key": "maintenance", "effect": "NoSchedule"}])
    await harness.create(defaulted_job("late"))
    pods = await harness.by_node("late", 1)
    assert set(pods) == {"a"}

    await harness.patch_node("b", {"spec": {"taints": None}})

    pods = await harness.by_node("late", 2)
    assert set(pods) == {"a", "b"}
    await harness.status_is("late", desired=2)


async def test_a_new_node_and_a_new_label_get_their_pods(harness: Harness) -> None:
    await harness.create_node("a", labels={"role": "worker"})
    await harness.create_node("b")
    await harness.create(_with_pod_spec(defaulted_job("grow"), nodeSelector={"role": "worker"}))
    await harness.by_node("grow", 1)

    await harness.create_node("c", labels={"role": "worker"})
    await harness.patch_node("b", {"metadata": {"labels": {"role": "worker"}}})

    pods = await harness.by_node("grow", 3)
    assert set(pods) == {"a", "b", "c"}


async def test_a_node_that_stops_fitting_loses_its_running_pod(harness: Harness) -> None:
    await harness.create_node("a", labels={"role": "worker"})
    await harness.create_node("b", labels={"role": "worker"})
    await harness.create(_with_pod_spec(defaulted_job("shrink"), nodeSelector={"role": "worker"}))
    pods = await harness.by_node("shrink", 2)
    await harness.set_phase(pods["a"], "Running")
    await harness.set_phase(pods["b"], "Running")

    await harness.patch_node("b", {"metadata": {"labels": {"role": None}}})

    pods = await harness.by_node("shrink", 1)
    assert set(pods) == {"a"}
    await harness.status_is("shrink", desired=1, active=1, failed=0)


async def test_heartbeats_enqueue_nothing(harness: Harness) -> None:
    await harness.create_node("a")
    await harness.create(defaulted_job("quiet", completionPolicy={"type": "Never"}))
    pods = await harness.by_node("quiet", 1)
    running = await harness.set_phase(pods["a"], "Running")
    job = await harness.status_is("quiet", active=1, desired=1)
    await harness.cached(PODS, running)
    await harness.cached(BROADCASTJOBS, job)
    adds = harness.queue_adds()

    beat = await harness.heartbeat("a", "2030-01-01T00:00:00Z")
    await harness.cached(NODES, beat)
    assert harness.queue_adds() == adds

    # A change that matters does wake the job, which clears the node.
    await harness.patch_node("a", {"spec": {"unschedulable": True}})
    await harness.live_pods("quiet", 0)
    assert harness.queue_adds() > adds
