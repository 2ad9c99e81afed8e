"""Reading pods (and conditions of any object) the way the tests look at them."""

from __future__ import annotations

import time
from typing import Any

Obj = dict[str, Any]


def image_of(pod: Obj) -> str:
    """The image the pod's first container is meant to run."""
    return str(pod["spec"]["containers"][0]["image"])


def status_image(pod: Obj) -> str | None:
    """The image the pod's first container reports running, if it reports one."""
    statuses = pod.get("status", {}).get("containerStatuses") or []
    return str(statuses[0].get("image")) if statuses else None


def condition(obj: Obj, cond_type: str) -> Obj | None:
    """A copy of the ``cond_type`` condition in ``obj``'s status, or None."""
    for cond in obj.get("status", {}).get("conditions", []):
        if cond["type"] == cond_type:
            return dict(cond)
    return None


def is_ready(pod: Obj) -> bool:
    ready = condition(pod, "Ready")
    return ready is not None and ready["status"] == "True"


def gates_true(pod: Obj) -> bool:
    """Every readiness gate of ``pod`` has its condition True."""
    conditions = pod.get("status", {}).get("conditions", [])
    return all(
        any(c["type"] == g["conditionType"] and c["status"] == "True" for c in conditions)
        for g in pod["spec"].get("readinessGates", [])
    )


def ready_lags_gates(pod: Obj) -> bool:
    """A running pod with ready containers whose gates turned True after its last report
    (Ready still False): a kubelet would report it Ready now."""
    containers = condition(pod, "ContainersReady")
    return (
        pod.get("status", {}).get("phase") == "Running"
        and containers is not None
        and containers["status"] == "True"
        and gates_true(pod)
        and not is_ready(pod)
    )


def live(pods: list[Obj]) -> list[Obj]:
    """The pods not being deleted."""
    return [p for p in pods if not p["metadata"].get("deletionTimestamp")]


def names(pods: list[Obj]) -> set[str]:
    return {p["metadata"]["name"] for p in pods}


def kubelet_status(
    pod: dict[str, Any],
    *,
    ready: bool = True,
    image: str | None = None,
    phase: str = "Running",
    keep_ready_time: bool = True,
) -> dict[str, Any]:
    """The status a kubelet would report for ``pod``: scheduled, ``phase``, each container
    running its spec image (or ``image``), Ready when ``ready`` and every readiness gate is
    True. With ``keep_ready_time`` an unchanged Ready condition keeps its transition time,
    as a kubelet's does; without, it is stamped now."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    statuses = [
        {
            "name": c["name"],
            "image": image or c["image"],
            "imageID": f"docker-pullable://{image or c['image']}@sha256:1",
            "ready": ready,
            "restartCount": 0,
            "state": {"running": {"startedAt": now}},
        }
        for c in pod["spec"]["containers"]
    ]
    conditions = [
        c
        for c in pod.get("status", {}).get("conditions", [])
        if c["type"] not in ("Ready", "ContainersReady", "PodScheduled")
    ]
    gates_ok = gates_true(pod)
    flag = "True" if ready else "False"
    ready_flag = "True" if ready and gates_ok else "False"
    old_ready = next(
        (c for c in pod.get("status", {}).get("conditions", []) if c["type"] == "Ready"), None
    )
    unchanged = keep_ready_time and old_ready is not None and old_ready.get("status") == ready_flag
    ready_since = (old_ready or {}).get("lastTransitionTime") if unchanged else None
    conditions += [
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
        {"type": "ContainersReady", "status": flag, "lastTransitionTime": now},
        {"type": "Ready", "status": ready_flag, "lastTransitionTime": ready_since or now},
    ]
    return {
        **pod.get("status", {}),
        "phase": phase,
        "conditions": conditions,
        "containerStatuses": statuses,
    }
