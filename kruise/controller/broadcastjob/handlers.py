"""Pod and Node events: settle expectations, and wake the BroadcastJobs they concern.

A pod of a job settles that job's expectation for the pod's node (created; deleted, or
terminating, which is when the delete took effect) and wakes the job. Any pod bound to a
node that lets go of the node (finished or gone) frees room there, so the jobs that want
the node look again.

A node wakes the jobs for which it starts or stops fitting; a new node, the jobs it fits;
a deleted node, the jobs it fitted, which may now be complete. A node update that only
renews heartbeats (the same True conditions, nothing else changed) wakes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kruise.apis.apps.v1alpha1 import GROUP
from kruise.controller.broadcastjob.calculate import is_finished
from kruise.controller.broadcastjob.pods import BROADCASTJOB_KIND, assigned_node, mock_pod
from kruise.runtime.controller.handler import RequestQueue
from kruise.runtime.expectations import ScaleAction, ScaleExpectations
from kruise.runtime.meta import name_of, namespace_of
from kruise.runtime.reconcile import Request
from kruise.util.controllerref import controller_of
from kruise.util.nodefit import NodeUsage, fits
from kruise.util.pods import POD_FAILED, POD_SUCCEEDED, is_terminating, phase

Obj = dict[str, Any]
Jobs = Callable[[], Iterable[Mapping[str, Any]]]
"""The BroadcastJobs in the cache."""
Usage = Callable[[str], NodeUsage]
"""What the pods bound to a node (by name) take from it."""
NodeLookup = Callable[[str], Mapping[str, Any] | None]
"""The cached node of a name, if any."""


def owner_request(pod: Mapping[str, Any]) -> Request | None:
    """The BroadcastJob that controls ``pod``, if one does."""
    ref = controller_of(pod)
    if ref is None or ref.get("kind") != BROADCASTJOB_KIND:
        return None
    if str(ref.get("apiVersion", "")).rpartition("/")[0] != GROUP:
        return None
    return Request(namespace_of(pod), str(ref["name"]))


def holds_node(pod: Mapping[str, Any]) -> bool:
    """Bound to a node and not finished: the pod takes room there."""
    spec = pod.get("spec") or {}
    return bool(spec.get("nodeName")) and phase(pod) not in (POD_SUCCEEDED, POD_FAILED)


def _unfinished(jobs: Jobs) -> list[Mapping[str, Any]]:
    return [job for job in jobs() if not is_finished(job)]


def _request(job: Mapping[str, Any]) -> Request:
    return Request(namespace_of(job), name_of(job))


class PodEventHandler:
    def __init__(self, scale: ScaleExpectations, jobs: Jobs, node_of: NodeLookup) -> None:
        self.scale = scale
        self.jobs = jobs
        self.node_of = node_of

    def create(self, obj: Obj, queue: RequestQueue) -> None:
        if is_terminating(obj):
            self.delete(obj, queue)
            return
        request = owner_request(obj)
        if request is not None:
            self.scale.observe_scale(str(request), ScaleAction.CREATE, assigned_node(obj))
            queue.add(request)

    def update(self, old: Obj, new: Obj, queue: RequestQueue) -> None:
        if old.get("metadata", {}).get("resourceVersion") == new.get("metadata", {}).get(
            "resourceVersion"
        ):
            return
        request = owner_request(new)
        if request is not None:
            if is_terminating(new):
                self.scale.observe_scale(str(request), ScaleAction.DELETE, assigned_node(new))
            queue.add(request)
        if holds_node(old) and not holds_node(new):
            self._node_freed(old, queue)

    def delete(self, obj: Obj, queue: RequestQueue) -> None:
        request = owner_request(obj)
        if request is not None:
            self.scale.observe_scale(str(request), ScaleAction.DELETE, assigned_node(obj))
            queue.add(request)
        if holds_node(obj):
            self._node_freed(obj, queue)

    def generic(self, obj: Obj, queue: RequestQueue) -> None:
        request = owner_request(obj)
        if request is not None:
            queue.add(request)

    def _node_freed(self, pod: Mapping[str, Any], queue: RequestQueue) -> None:
        """Wake the unfinished jobs whose pod fits the node on everything but room."""
        node = self.node_of(str(pod["spec"]["nodeName"]))
        if node is None:
            return
        for job in _unfinished(self.jobs):
            if fits(mock_pod(job, name_of(node)), node):
                queue.add(_request(job))


class NodeEventHandler:
    def __init__(self, jobs: Jobs, usage_of: Usage) -> None:
        self.jobs = jobs
        self.usage_of = usage_of

    def create(self, obj: Obj, queue: RequestQueue) -> None:
        usage = self.usage_of(name_of(obj))
        for job in _unfinished(self.jobs):
            if fits(mock_pod(job, name_of(obj)), obj, usage):
                queue.add(_request(job))

    def update(self, old: Obj, new: Obj, queue: RequestQueue) -> None:
        if only_heartbeat(old, new):
            return
        usage = self.usage_of(name_of(new))
        for job in _unfinished(self.jobs):
            pod = mock_pod(job, name_of(new))
            if fits(pod, old, usage) != fits(pod, new, usage):
                queue.add(_request(job))

    def delete(self, obj: Obj, queue: RequestQueue) -> None:
        for job in _unfinished(self.jobs):
            if fits(mock_pod(job, name_of(obj)), obj):
                queue.add(_request(job))

    def generic(self, obj: Obj, queue: RequestQueue) -> None:
        return None


def only_heartbeat(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether a node update only renewed heartbeats: the same conditions are True, and
    apart from its conditions and resourceVersion the node is unchanged."""
    if _true_conditions(old) != _true_conditions(new):
        return False
    return _without_heartbeat(old) == _without_heartbeat(new)


def _true_conditions(node: Mapping[str, Any]) -> set[str]:
    conditions = (node.get("status") or {}).get("conditions") or ()
    return {str(c.get("type")) for c in conditions if c.get("status") == "True"}


def _without_heartbeat(node: Mapping[str, Any]) -> dict[str, Any]:
    skipped = ("resourceVersion", "managedFields")
    meta = {k: v for k, v in (node.get("metadata") or {}).items() if k not in skipped}
    status = {k: v for k, v in (node.get("status") or {}).items() if k != "conditions"}
    return {**node, "metadata": meta, "status": status}
