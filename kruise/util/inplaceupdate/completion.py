"""Has an in-place update finished? Decided from the pod alone.

A pod waiting out a grace period has not finished, whether or not it has a state
annotation yet (OpenKruise checks the grace annotation first too). Otherwise a pod
without a state annotation has nothing in flight: done. With one, the update is done
when the pod's revision label still names the state's revision and every container the
update changed has a status showing it runs the new image:

1. its ``imageID`` is set and differs from the recorded one. The reported ``image`` is
   not compared then, as OpenKruise does not: containerd reports a digest-pinned or
   re-tagged image in its own form (``reg/app:v2`` for ``reg/app@sha256:...``, or a bare
   ``sha256:...``), which would never equal the spec's string.
2. Or its ``imageID`` is unchanged (a new tag for the same digest, OpenKruise #635). Then
   the reported ``image`` must be the spec's image, and its ``containerID`` must be set
   and differ from the recorded one, which shows the container was recreated after the
   update began. When the state comes from OpenKruise and has no ``containerID``, the
   matching image is enough, as OpenKruise counts it.

Deliberately unlike OpenKruise, in the unchanged-imageID case only:

- the images are compared after ``normalize_image`` (an untagged ``nginx`` is
  ``docker.io/library/nginx:latest``, the form containerd reports), where OpenKruise
  appends ``:latest`` to a spec image without a colon and compares the strings, so such
  a pod would wait forever;
- an empty reported ``imageID`` is no evidence of a new image and falls under rule 2:
  the kubelet reports it for a container the runtime has not created (yet), with the
  spec's image as its ``image``. OpenKruise counts it as a changed ID.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kruise.util.inplaceupdate.errors import InvalidAnnotation
from kruise.util.inplaceupdate.image import same_image
from kruise.util.inplaceupdate.names import REVISION_LABEL
from kruise.util.inplaceupdate.state import ContainerRecord, has_pending_grace, read_state


@dataclass(frozen=True)
class Completion:
    """``done``, and when not, ``reason`` says what is still awaited."""

    done: bool
    reason: str = ""


def check_completed(pod: Mapping[str, Any], *, revision_key: str = REVISION_LABEL) -> Completion:
    if has_pending_grace(pod):
        return Completion(False, "the grace period has not ended")
    try:
        state = read_state(pod)
    except InvalidAnnotation as err:
        return Completion(False, str(err))
    if state is None:
        return Completion(True)
    revision = ((pod.get("metadata") or {}).get("labels") or {}).get(revision_key, "")
    if revision != state.revision:
        return Completion(
            False, f"revision label is {revision!r}, the update moved to {state.revision!r}"
        )
    spec_images = {
        c.get("name"): c.get("image") for c in (pod.get("spec") or {}).get("containers") or []
    }
    statuses = {s.get("name"): s for s in (pod.get("status") or {}).get("containerStatuses") or []}
    for name, record in state.last_container_statuses.items():
        reason = _container_pending(name, record, spec_images.get(name), statuses.get(name))
        if reason:
            return Completion(False, reason)
    return Completion(True)


def _container_pending(
    name: str, record: ContainerRecord, spec_image: Any, status: Mapping[str, Any] | None
) -> str:
    """Why container ``name`` has not finished its update; empty when it has."""
    if status is None:
        return f"container {name} has no status"
    if not isinstance(spec_image, str):
        return f"container {name} is not in the pod spec"
    image_id = str(status.get("imageID") or "")
    if image_id and image_id != record.image_id:
        return ""
    image = str(status.get("image") or "")
    if not same_image(image, spec_image):
        return f"container {name} runs {image!r}, not {spec_image!r}"
    if record.container_id is None:
        return ""
    container_id = str(status.get("containerID") or "")
    if container_id and container_id != record.container_id:
        return ""
    return f"container {name} has not been recreated (imageID and containerID unchanged)"
