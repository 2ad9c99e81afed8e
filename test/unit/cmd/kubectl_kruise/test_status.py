"""rollout status: when a CloneSet's or an Advanced StatefulSet's rollout is done, still
under way, or failed."""

from __future__ import annotations

from typing import Any

import pytest
from kubectl_kruise.status import RolloutFailed, cloneset_progress, statefulset_progress


def workload(spec: dict[str, Any], status: dict[str, Any], generation: int = 2) -> dict[str, Any]:
    return {
        "metadata": {"name": "web", "generation": generation},
        "spec": spec,
        "status": {"observedGeneration": 2, **status},
    }


DONE = {
    "replicas": 3,
    "updatedReplicas": 3,
    "updatedAvailableReplicas": 3,
    "availableReplicas": 3,
    "expectedUpdatedReplicas": 3,
}


def test_cloneset_done() -> None:
    seen = cloneset_progress(workload({"replicas": 3}, DONE))
    assert seen.done
    assert seen.message == 'CloneSet "web" successfully rolled out'


def test_cloneset_waits_for_the_spec_to_be_observed() -> None:
    seen = cloneset_progress(workload({"replicas": 3}, DONE, generation=3))
    assert not seen.done
    assert seen.message == "Waiting for CloneSet spec update to be observed..."


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ({"updatedReplicas": 1}, "1 out of 3 new pods have been updated..."),
        ({"replicas": 4}, "1 old pods are pending termination..."),
        ({"updatedAvailableReplicas": 2}, "2 of 3 updated pods are available..."),
        ({"availableReplicas": 2}, "2 of 3 pods are available..."),
    ],
)
def test_cloneset_progress_lines(status: dict[str, Any], message: str) -> None:
    seen = cloneset_progress(workload({"replicas": 3}, {**DONE, **status}))
    assert not seen.done
    assert seen.message == f'Waiting for CloneSet "web" rollout to finish: {message}'


def test_cloneset_partition_is_done_when_the_pods_outside_it_are_updated() -> None:
    status = {**DONE, "expectedUpdatedReplicas": 1, "updatedReplicas": 1}
    status["updatedAvailableReplicas"] = 1
    seen = cloneset_progress(workload({"replicas": 3}, status))
    assert seen.done
    assert seen.message == "partitioned roll out complete: 1 new pods have been updated..."


@pytest.mark.parametrize("kind", ["FailedScale", "FailedUpdate"])
def test_cloneset_failed_condition(kind: str) -> None:
    condition = {"type": kind, "status": "True", "message": 'pods "x" is forbidden'}
    obj = workload({"replicas": 3}, {**DONE, "updatedReplicas": 0, "conditions": [condition]})
    with pytest.raises(RolloutFailed, match=f'"web" rollout failed: {kind}: pods "x" is forbidden'):
        cloneset_progress(obj)


def test_cloneset_progress_deadline_exceeded() -> None:
    condition = {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}
    obj = workload({"replicas": 3}, {**DONE, "conditions": [condition]})
    with pytest.raises(RolloutFailed, match="exceeded its progress deadline"):
        cloneset_progress(obj)


def test_cloneset_false_condition_is_no_failure() -> None:
    condition = {"type": "FailedScale", "status": "False"}
    assert cloneset_progress(workload({"replicas": 3}, {**DONE, "conditions": [condition]})).done


STS_DONE = {
    "replicas": 3,
    "readyReplicas": 3,
    "updatedReplicas": 3,
    "currentReplicas": 3,
    "currentRevision": "web-1",
    "updateRevision": "web-1",
}


def test_statefulset_done() -> None:
    seen = statefulset_progress(workload({"replicas": 3}, STS_DONE))
    assert seen.done
    assert seen.message == "statefulset rolling update complete 3 pods at revision web-1..."


def test_statefulset_waits() -> None:
    not_ready = statefulset_progress(workload({"replicas": 3}, {**STS_DONE, "readyReplicas": 1}))
    assert (not_ready.done, not_ready.message) == (False, "Waiting for 2 pods to be ready...")
    rolling = statefulset_progress(
        workload({"replicas": 3}, {**STS_DONE, "updateRevision": "web-2", "updatedReplicas": 1})
    )
    assert not rolling.done
    assert rolling.message == (
        "waiting for statefulset rolling update to complete 1 pods at revision web-2..."
    )


def test_statefulset_partition() -> None:
    spec = {"replicas": 3, "updateStrategy": {"rollingUpdate": {"partition": 1}}}
    status = {**STS_DONE, "updateRevision": "web-2", "updatedReplicas": 1}
    waiting = statefulset_progress(workload(spec, status))
    assert waiting.message == (
        "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated..."
    )
    done = statefulset_progress(workload(spec, {**status, "updatedReplicas": 2}))
    assert done.done


def test_statefulset_failures() -> None:
    condition = {"type": "FailedCreatePod", "status": "True", "message": "quota"}
    with pytest.raises(RolloutFailed, match="FailedCreatePod: quota"):
        statefulset_progress(workload({"replicas": 3}, {**STS_DONE, "conditions": [condition]}))
    with pytest.raises(RolloutFailed, match="only available for RollingUpdate"):
        statefulset_progress(workload({"updateStrategy": {"type": "OnDelete"}}, STS_DONE))
