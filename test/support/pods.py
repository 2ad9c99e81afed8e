"""Reading pods (and conditions of any object) the way the tests look at them."""

from __future__ import annotations

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


def live(pods: list[Obj]) -> list[Obj]:
    """The pods not being deleted."""
    return [p for p in pods if not p["metadata"].get("deletionTimestamp")]


def names(pods: list[Obj]) -> set[str]:
    return {p["metadata"]["name"] for p in pods}
