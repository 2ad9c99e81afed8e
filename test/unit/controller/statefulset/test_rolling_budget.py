"""Which pods of an Advanced StatefulSet count as unavailable during a rolling update."""

from __future__ import annotations

import json
from typing import Any

from kruise.controller.statefulset.rolling_budget import Unavailable, soonest, unavailable_pods
from kruise.util.inplaceupdate import STATE_ANNOTATION

Obj = dict[str, Any]
NOW = 1_700_000_000.0
READY_AT = "2023-11-14T22:13:10Z"  # NOW - 10 s


def pod(
    name: str,
    *,
    phase: str = "Running",
    ready: bool = True,
    state: str | None = "Normal",
    since: str | None = READY_AT,
) -> Obj:
    labels = {"controller-revision-hash": "web-1"}
    if state is not None:
        labels["lifecycle.apps.kruise.io/state"] = state
    condition: Obj = {"type": "Ready", "status": "True" if ready else "False"}
    if since is not None:
        condition["lastTransitionTime"] = since
    return {
        "metadata": {"name": name, "labels": labels, "annotations": {}},
        "spec": {"containers": [{"name": "main", "image": "nginx:2"}]},
        "status": {
            "phase": phase,
            "conditions": [condition],
            "containerStatuses": [
                {"name": "main", "image": "nginx:1", "imageID": "sha256:1", "containerID": "c1"}
            ],
        },
    }


def test_healthy_pods_are_available_and_others_are_not() -> None:
    replicas: list[Obj | None] = [
        pod("web-0"),
        None,  # a reserved ordinal
        pod("web-2", ready=False),
        pod("web-3", phase="Pending"),
        pod("web-4", state="Updated"),
        pod("web-5", state=None),
    ]
    terminating = pod("web-6")
    terminating["metadata"]["deletionTimestamp"] = "2023-11-14T22:13:19Z"
    replicas.append(terminating)
    found = unavailable_pods(replicas, 0, NOW)
    assert found.names == {"web-2", "web-3", "web-4", "web-6"}
    assert found.wait == 0.0


def test_a_pod_whose_in_place_update_has_not_completed_is_unavailable() -> None:
    updating = pod("web-0")
    updating["metadata"]["annotations"][STATE_ANNOTATION] = json.dumps(
        {
            "revision": "web-1",
            "updateTimestamp": READY_AT,
            "lastContainerStatuses": {"main": {"imageID": "sha256:1"}},
        }
    )
    assert unavailable_pods([updating], 0, NOW).names == {"web-0"}


def test_min_ready_seconds_holds_a_pod_back_and_says_how_long() -> None:
    # Ready for 10 s.
    assert unavailable_pods([pod("web-0")], 10, NOW).names == set()
    found = unavailable_pods([pod("web-0"), pod("web-1", since="2023-11-14T22:13:15Z")], 30, NOW)
    assert found.names == {"web-0", "web-1"}
    assert found.wait == 20.0
    # A Ready condition without a time waits the whole minReadySeconds.
    found = unavailable_pods([pod("web-0", since=None)], 30, NOW)
    assert found.names == {"web-0"}
    assert found.wait == 30.0


def test_blocks_only_pods_not_yet_unavailable_once_the_limit_is_reached() -> None:
    found = Unavailable(names={"web-1", "web-2"})
    assert not found.blocks(pod("web-3"), 3)
    assert found.blocks(pod("web-3"), 2)
    assert not found.blocks(pod("web-2"), 2)


def test_soonest_ignores_zero() -> None:
    assert soonest(0, 5) == 5
    assert soonest(3, 0) == 3
    assert soonest(3, 5) == 3
    assert soonest(0, 0) == 0
