"""A stand-in for ``Client.patch`` on pods, and pod builders, for in-place update tests.

The fake applies JSON merge patches and strategic merge patches (containers merge by
name, as the API server merges them), honours a ``metadata.resourceVersion`` in the
patch as a precondition, and keeps status writes to the status subresource.
"""

from __future__ import annotations

import copy
from typing import Any, cast

from kruise.runtime.client import Client, Conflict, PatchType, Resource

Obj = dict[str, Any]
# Lists a strategic merge patch merges by a key, as Pod's schema declares.
_MERGE_KEYS = {"containers": "name", "conditions": "type"}


class FakePods:
    def __init__(self, *pods: Obj) -> None:
        self.pods: dict[str, Obj] = {}
        self.calls: list[tuple[str, Obj, PatchType, str | None]] = []
        self._rv = 100
        for pod in pods:
            self.put(pod)

    def put(self, pod: Obj) -> Obj:
        stored = copy.deepcopy(pod)
        self._rv += 1
        stored["metadata"]["resourceVersion"] = str(self._rv)
        self.pods[stored["metadata"]["name"]] = stored
        return copy.deepcopy(stored)

    def get(self, name: str) -> Obj:
        return copy.deepcopy(self.pods[name])

    @property
    def client(self) -> Client:
        return cast(Client, self)

    async def patch(
        self,
        resource: Resource,
        name: str,
        patch: Obj,
        namespace: str | None = None,
        *,
        patch_type: PatchType = PatchType.MERGE,
        subresource: str | None = None,
    ) -> Obj:
        assert resource.kind == "Pod"
        self.calls.append((name, copy.deepcopy(patch), patch_type, subresource))
        current = self.pods[name]
        expected = (patch.get("metadata") or {}).get("resourceVersion")
        if expected and expected != current["metadata"]["resourceVersion"]:
            raise Conflict(f'Operation cannot be fulfilled on pods "{name}"', reason="Conflict")
        body = copy.deepcopy(patch)
        body.get("metadata", {}).pop("resourceVersion", None)
        if subresource == "status":
            assert set(body) <= {"status", "metadata"}
            assert not body.get("metadata")
        else:
            assert subresource is None
            assert "status" not in body
        merged = _merge(copy.deepcopy(current), body, patch_type is PatchType.STRATEGIC)
        return self.put(merged)


def _merge(target: Obj, patch: Obj, strategic: bool) -> Obj:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            target[key] = _merge(target[key], value, strategic)
        elif strategic and key in _MERGE_KEYS and isinstance(target.get(key), list):
            target[key] = _merge_list(target[key], value, _MERGE_KEYS[key])
        else:
            target[key] = copy.deepcopy(value)
    return target


def _merge_list(items: list[Obj], patch: list[Obj], key: str) -> list[Obj]:
    merged = [copy.deepcopy(item) for item in items]
    for element in patch:
        for i, item in enumerate(merged):
            if item.get(key) == element.get(key):
                merged[i] = _merge(item, element, True)
                break
        else:
            merged.append(copy.deepcopy(element))
    return merged


def container_status(name: str, image: str, image_id: str = "", container_id: str = "") -> Obj:
    return {
        "name": name,
        "image": image,
        "imageID": image_id or f"registry/{image}@sha256:old",
        "containerID": container_id or f"containerd://{name}-1",
        "ready": True,
    }


def make_pod(
    *,
    name: str = "web-0",
    revision: str = "web-old",
    images: dict[str, str] | None = None,
    gate: bool = True,
    conditions: list[Obj] | None = None,
    annotations: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
) -> Obj:
    images = images or {"app": "nginx:1.25"}
    pod: Obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "ns",
            "uid": f"uid-{name}",
            "labels": {"app": "web", "controller-revision-hash": revision, **(labels or {})},
            "annotations": dict(annotations or {}),
        },
        "spec": {"containers": [{"name": n, "image": i} for n, i in images.items()]},
        "status": {
            "phase": "Running",
            "conditions": (
                conditions
                if conditions is not None
                else [
                    {"type": "ContainersReady", "status": "True"},
                    {"type": "Ready", "status": "True"},
                    *([{"type": "InPlaceUpdateReady", "status": "True"}] if gate else []),
                ]
            ),
            "containerStatuses": [container_status(n, i) for n, i in images.items()],
        },
    }
    if gate:
        pod["spec"]["readinessGates"] = [{"conditionType": "InPlaceUpdateReady"}]
    return pod
