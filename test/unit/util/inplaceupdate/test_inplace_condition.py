"""The InPlaceUpdateReady readiness gate, its condition and the recomputed Ready."""

from __future__ import annotations

from typing import Any

import pytest
from support.inplace_fakes import FakePods, make_pod
from support.pods import condition

from kruise.runtime.client import Conflict, PatchType
from kruise.runtime.clock import FakeClock
from kruise.util.inplaceupdate import (
    READINESS_GATES_NOT_READY,
    conditions_with,
    get_condition,
    has_readiness_gate,
    inject_readiness_gate,
    is_in_place_update_ready,
    mark_not_ready,
    mark_ready,
)

Obj = dict[str, Any]
NOW = "2024-01-01T00:00:00Z"


def by_type(conditions: list[Obj]) -> dict[str, Obj]:
    return {c["type"]: c for c in conditions}


def test_the_gate_is_added_once_beside_other_gates() -> None:
    tmpl: Obj = {"metadata": {}, "spec": {"readinessGates": [{"conditionType": "other"}]}}
    inject_readiness_gate(tmpl)
    inject_readiness_gate(tmpl)
    assert tmpl["spec"]["readinessGates"] == [
        {"conditionType": "other"},
        {"conditionType": "InPlaceUpdateReady"},
    ]
    assert has_readiness_gate(tmpl)
    bare: Obj = {}
    inject_readiness_gate(bare)
    assert bare == {"spec": {"readinessGates": [{"conditionType": "InPlaceUpdateReady"}]}}
    assert not has_readiness_gate(make_pod(gate=False))


def test_update_ready_means_absent_or_true() -> None:
    assert is_in_place_update_ready(make_pod())
    assert is_in_place_update_ready(make_pod(gate=False))
    pod = make_pod(conditions=[{"type": "InPlaceUpdateReady", "status": "False"}])
    assert not is_in_place_update_ready(pod)
    assert get_condition(pod) == {"type": "InPlaceUpdateReady", "status": "False"}
    assert get_condition(pod, "Ready") is None


def test_false_holds_ready_false_with_the_kubelets_reason() -> None:
    conditions = conditions_with(make_pod(), "False", reason="StartInPlaceUpdate", now=NOW)
    assert conditions is not None
    found = by_type(conditions)
    assert found["InPlaceUpdateReady"] == {
        "type": "InPlaceUpdateReady",
        "status": "False",
        "reason": "StartInPlaceUpdate",
        "lastTransitionTime": NOW,
    }
    assert found["Ready"]["status"] == "False"
    assert found["Ready"]["reason"] == READINESS_GATES_NOT_READY
    assert '"InPlaceUpdateReady" is not "True", but False' in found["Ready"]["message"]
    assert found["ContainersReady"] == {"type": "ContainersReady", "status": "True"}


def test_true_makes_ready_true_when_every_gate_is_true() -> None:
    pod = make_pod(
        conditions=[
            {"type": "ContainersReady", "status": "True"},
            {"type": "Ready", "status": "False", "reason": READINESS_GATES_NOT_READY},
            {"type": "InPlaceUpdateReady", "status": "False", "lastTransitionTime": "old"},
        ]
    )
    conditions = conditions_with(pod, "True", now=NOW)
    assert conditions is not None
    assert by_type(conditions)["Ready"] == {
        "type": "Ready",
        "status": "True",
        "lastTransitionTime": NOW,
    }
    assert by_type(conditions)["InPlaceUpdateReady"]["status"] == "True"


def test_another_gate_that_is_not_true_makes_ready_false() -> None:
    pod = make_pod(
        conditions=[
            {"type": "ContainersReady", "status": "True"},
            {"type": "Ready", "status": "True"},
        ]
    )
    pod["spec"]["readinessGates"].append({"conditionType": "example.com/lb"})
    conditions = conditions_with(pod, "True", now=NOW)
    assert conditions is not None
    ready = by_type(conditions)["Ready"]
    assert ready["status"] == "False"
    assert 'readiness gate "example.com/lb" does not exist' in ready["message"]


def test_ready_is_left_to_the_kubelet_while_containers_are_not_ready() -> None:
    pod = make_pod(
        conditions=[
            {"type": "ContainersReady", "status": "False"},
            {"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
        ]
    )
    conditions = conditions_with(pod, "True", now=NOW)
    assert conditions is not None
    assert by_type(conditions)["Ready"]["reason"] == "ContainersNotReady"
    no_ready = make_pod(conditions=[{"type": "ContainersReady", "status": "True"}])
    conditions = conditions_with(no_ready, "False", now=NOW)
    assert conditions is not None
    assert "Ready" not in by_type(conditions)


def test_nothing_changes_when_the_status_is_already_set() -> None:
    pod = make_pod()
    assert conditions_with(pod, "True", now=NOW) is None
    assert pod == make_pod()


async def test_mark_not_ready_writes_the_status_subresource_with_the_resource_version() -> None:
    fake = FakePods(make_pod())
    pod = fake.get("web-0")
    clock = FakeClock(wall_start=1_700_000_000)
    written = await mark_not_ready(fake.client, pod, clock=clock)
    [(name, patch, patch_type, subresource)] = fake.calls
    assert (name, patch_type, subresource) == ("web-0", PatchType.MERGE, "status")
    assert patch["metadata"] == {"resourceVersion": pod["metadata"]["resourceVersion"]}
    assert condition(written, "InPlaceUpdateReady") == {
        "type": "InPlaceUpdateReady",
        "status": "False",
        "reason": "StartInPlaceUpdate",
        "lastTransitionTime": "2023-11-14T22:13:20Z",
    }
    assert condition(written, "Ready")["status"] == "False"  # type: ignore[index]
    assert written["metadata"]["resourceVersion"] != pod["metadata"]["resourceVersion"]
    assert condition(pod, "Ready")["status"] == "True"  # type: ignore[index]


async def test_no_write_when_the_condition_is_already_there() -> None:
    fake = FakePods(make_pod())
    pod = fake.get("web-0")
    assert await mark_ready(fake.client, pod) is pod
    assert fake.calls == []


async def test_a_stale_pod_raises_conflict_for_the_caller_to_retry() -> None:
    fake = FakePods(make_pod())
    stale = fake.get("web-0")
    fake.put(fake.get("web-0"))
    with pytest.raises(Conflict):
        await mark_not_ready(fake.client, stale)
    assert condition(fake.get("web-0"), "InPlaceUpdateReady")["status"] == "True"  # type: ignore[index]
