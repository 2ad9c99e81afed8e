"""How pods reach their nodes: through the scheduler by default, or bound at once."""

from __future__ import annotations

from support.broadcastjob import Harness, defaulted_job


async def test_pods_go_through_the_scheduler_with_a_node_name_affinity(harness: Harness) -> None:
    await harness.create_node("a", labels={"pool": "x"})
    job = defaulted_job("sched")
    user_terms = [{"matchExpressions": [{"key": "pool", "operator": "In", "values": ["x"]}]}]
    job["spec"]["template"]["spec"]["affinity"] = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": user_terms}
        }
    }
    await harness.create(job)

    pod = (await harness.by_node("sched", 1))["a"]
    assert not pod["spec"].get("nodeName")
    required = pod["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"
    ]
    assert required == {
        "nodeSelectorTerms": [
            {
                "matchFields": [
                    {"key": "metadata.name", "operator": "In", "values": [harness.node_name("a")]}
                ]
            }
        ]
    }
    assert pod["metadata"]["labels"]["broadcastjob-name"] == "sched"
    owner = pod["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("BroadcastJob", "sched", True)

    # Play the scheduler, then the kubelet.
    await harness.bind(pod, "a")
    pod = (await harness.by_node("sched", 1))["a"]
    assert pod["spec"]["nodeName"] == harness.node_name("a")
    await harness.set_phase(pod, "Succeeded")
    await harness.status_is("sched", phase="completed", succeeded=1, desired=1)


async def test_without_the_scheduler_pods_are_bound_at_once(bound_harness: Harness) -> None:
    harness = bound_harness
    await harness.create_node("a")
    await harness.create_node("b")
    await harness.create(defaulted_job("direct"))

    pods = await harness.by_node("direct", 2)
    for short, pod in pods.items():
        assert pod["spec"]["nodeName"] == harness.node_name(short)
        assert "affinity" not in pod["spec"]
        await harness.set_phase(pod, "Succeeded")
    await harness.status_is("direct", phase="completed", succeeded=2)
