"""Lifecycle hooks and states of workload pods (label ``lifecycle.apps.kruise.io/state``).

A hook (``preDelete``, ``inPlaceUpdate``) holds a pod in a ``Preparing*`` state while the
pod is "hooked": it carries one of the hook's labels with the given value, or one of its
finalizers. The user's own controller removes them when it is done with the pod. A
missing label reads as the empty value, as in OpenKruise: a ``labelsHandler`` entry with
value ``""`` holds every pod that lacks the label.

``preNormal`` works the other way round (OpenKruise v1.x): a new pod starts in
``PreparingNormal`` and becomes ``Normal`` only once it carries *all* of the hook's labels
and finalizers, which the user's controller adds when the pod may serve. Without the hook
it becomes ``Normal`` once it is scheduled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.v1alpha1 import (
    LIFECYCLE_NORMAL,
    LIFECYCLE_STATE_LABEL,
    LIFECYCLE_TIMESTAMP_ANNOTATION,
)
from kruise.runtime.client import PODS, Client, Invalid, KubeObject, NotFound, PatchType
from kruise.util.pods import format_time, get_pod_condition

POD_SCHEDULED = "PodScheduled"


def state_of(pod: Mapping[str, Any]) -> str:
    """The pod's lifecycle state; "" when it has none."""
    labels = (pod.get("metadata") or {}).get("labels")
    value = labels.get(LIFECYCLE_STATE_LABEL) if labels else None
    return value if type(value) is str else str(value or "")


def is_normal(pod: Mapping[str, Any]) -> bool:
    """No state, or ``Normal``: the only states that count as ready for an update."""
    return state_of(pod) in ("", LIFECYCLE_NORMAL)


def is_hooked(pod: Mapping[str, Any], hook: Mapping[str, Any] | None) -> bool:
    """Whether ``hook`` (a LifecycleHook: labelsHandler, finalizersHandler) holds ``pod``."""
    if not hook:
        return False
    meta = pod.get("metadata") or {}
    labels = meta.get("labels") or {}
    for key, value in (hook.get("labelsHandler") or {}).items():
        if labels.get(key, "") == value:
            return True
    finalizers = set(meta.get("finalizers") or ())
    return any(f in finalizers for f in hook.get("finalizersHandler") or ())


def is_all_hooked(pod: Mapping[str, Any], hook: Mapping[str, Any] | None) -> bool:
    """Whether ``pod`` carries every label (with its value) and every finalizer of
    ``hook``; False when there is no hook."""
    if hook is None:
        return False
    meta = pod.get("metadata") or {}
    labels = meta.get("labels") or {}
    if any(labels.get(k, "") != v for k, v in (hook.get("labelsHandler") or {}).items()):
        return False
    finalizers = set(meta.get("finalizers") or ())
    return all(f in finalizers for f in hook.get("finalizersHandler") or ())


def is_scheduled(pod: Mapping[str, Any]) -> bool:
    """Whether the pod has been placed: it is bound to a node (what OpenKruise checks), or
    reports ``PodScheduled`` True (what a kubelet reports for every pod it runs)."""
    if (pod.get("spec") or {}).get("nodeName"):
        return True
    condition = get_pod_condition(pod, POD_SCHEDULED)
    return condition is not None and condition.get("status") == "True"


def may_become_normal(hooks: Mapping[str, Any] | None, pod: Mapping[str, Any]) -> bool:
    """Whether a ``PreparingNormal`` pod may move to ``Normal``: with a ``preNormal`` hook in
    ``hooks`` (a workload's ``spec.lifecycle``), once it carries all of the hook; without
    one, once it is scheduled (moving an unscheduled pod on at once trips old schedulers,
    OpenKruise #1485)."""
    hook = (hooks or {}).get("preNormal")
    if hook is None:
        return is_scheduled(pod)
    return is_all_hooked(pod, hook)


def state_metadata(state: str, wall: float) -> tuple[dict[str, str], dict[str, str]]:
    """The labels and annotations that put a pod in ``state`` at time ``wall``."""
    return {LIFECYCLE_STATE_LABEL: state}, {LIFECYCLE_TIMESTAMP_ANNOTATION: format_time(wall)}


def state_patch(pod: Mapping[str, Any], state: str, wall: float) -> KubeObject:
    """A strategic merge patch moving ``pod`` to ``state``.

    It carries the pod's uid, not its resourceVersion (as OpenKruise, which sends neither).
    The scheduler and the node write a new pod all the time, and a move that sets one
    label and one annotation is right on any version of the same pod; a version guard
    made most moves of a scaling CloneSet fail with a conflict and go again. The uid
    still keeps the move off a pod created again under the same name: the API server
    refuses to change a uid (``is_uid_mismatch``).
    """
    labels, annotations = state_metadata(state, wall)
    metadata: dict[str, Any] = {"labels": labels, "annotations": annotations}
    uid = (pod.get("metadata") or {}).get("uid")
    if uid:
        metadata["uid"] = uid
    return {"metadata": metadata}


def is_uid_mismatch(error: Exception) -> bool:
    """Whether ``error`` is the API server refusing a patch whose uid is not the pod's:
    the pod it was meant for is gone, and another took its name."""
    return isinstance(error, Invalid) and any(
        cause.get("field") == "metadata.uid" for cause in error.causes
    )


async def patch_state(client: Client, pod: Mapping[str, Any], patch: KubeObject) -> KubeObject:
    """Send ``patch`` (``state_patch``'s, maybe with more metadata) to ``pod``; the pod as
    written. A pod created again under the name raises ``NotFound``, as the pod the
    patch was meant for is gone."""
    meta = pod["metadata"]
    try:
        return await client.patch(
            PODS, meta["name"], patch, meta.get("namespace"), patch_type=PatchType.STRATEGIC
        )
    except Invalid as err:
        if not is_uid_mismatch(err):
            raise
        gone = NotFound(
            f"pod {meta.get('namespace')}/{meta['name']} with uid {meta.get('uid')} is gone",
            reason="NotFound",
        )
        raise gone from err
