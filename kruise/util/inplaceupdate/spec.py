"""Can a pod move between two templates in place, and what must change if so?

A pod can be updated in place when its new template differs from its old one only in
container images and in pod metadata; everything else (env, resources, commands, added
or removed containers, init containers) needs a new pod. This is OpenKruise's rule,
which it phrases as "every JSON patch operation under ``/spec`` is a ``replace`` of
``/spec/containers/<n>/image``, and any operation under ``/metadata`` will do". JSON
``null`` and, in metadata, empty maps and lists count as absent, as they do once Go has
encoded them.

The metadata change is a strategic merge patch of the pod, as Kubernetes'
``CreateTwoWayMergePatch`` writes it: labels and annotations by key (``null`` removes
one), finalizers as a merged set (``$deleteFromPrimitiveList`` removes,
``$setElementOrder`` keeps the new order), owner references merged by uid, any other
field replaced.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kruise.runtime.meta import metadata, name_of
from kruise.util.inplaceupdate.errors import InvalidAnnotation

# Template keys that are not part of the pod: the marker revisions carry for their
# strategic merge patch.
_IGNORED_TEMPLATE_KEYS = frozenset({"$patch"})
_METADATA_MAPS = ("labels", "annotations")


@dataclass(frozen=True)
class UpdateSpec:
    """What an in-place update changes.

    ``container_images`` maps container names to their new images. ``metadata_patch``
    is a strategic merge patch of the pod's metadata (``{"metadata": {"labels": {...},
    "finalizers": [...], ...}}``, with ``None`` for keys to remove); None when the
    metadata is unchanged. ``grace_seconds`` is the wait between marking the pod not ready and
    changing it.
    """

    revision: str
    container_images: Mapping[str, str] = field(default_factory=dict)
    metadata_patch: Mapping[str, Any] | None = None
    grace_seconds: int = 0

    def with_grace(self, seconds: int) -> UpdateSpec:
        return replace(self, grace_seconds=max(0, seconds))

    def to_json(self) -> str:
        """OpenKruise's form (the grace annotation's value): empty fields are left out and
        the metadata patch is base64 of its JSON, as Go encodes bytes."""
        out: dict[str, Any] = {"revision": self.revision}
        if self.container_images:
            out["containerImages"] = dict(self.container_images)
        if self.metadata_patch:
            raw = json.dumps(self.metadata_patch, separators=(",", ":"), sort_keys=True).encode()
            out["metaDataPatch"] = base64.b64encode(raw).decode()
        if self.grace_seconds:
            out["graceSeconds"] = self.grace_seconds
        return _compact(out)

    @classmethod
    def from_json(cls, text: str) -> UpdateSpec:
        """Parse ``to_json`` output (or OpenKruise's); raises ``InvalidAnnotation``."""
        try:
            raw = json.loads(text)
            if not isinstance(raw, dict):
                raise TypeError("not an object")
            images = raw.get("containerImages") or {}
            if not all(isinstance(v, str) for v in images.values()):
                raise TypeError("containerImages must map names to strings")
            patch = None
            if raw.get("metaDataPatch"):
                patch = json.loads(base64.b64decode(raw["metaDataPatch"], validate=True))
                if not isinstance(patch, dict):
                    raise TypeError("metaDataPatch is not a JSON object")
            return cls(
                revision=str(raw.get("revision") or ""),
                container_images=dict(images),
                metadata_patch=patch,
                grace_seconds=int(raw.get("graceSeconds") or 0),
            )
        except (ValueError, TypeError, AttributeError) as err:
            raise InvalidAnnotation(f"in-place update spec {text!r}: {err}") from err


class _NotInPlace(Exception):
    """Raised inside the diff as soon as a difference needs a new pod."""


def diff_templates(
    old_template: Mapping[str, Any], new_template: Mapping[str, Any], revision: str
) -> UpdateSpec | None:
    """The update that turns pods of ``old_template`` into pods of ``new_template``
    (labelled ``revision``), or None when that cannot be done in place."""
    old, new = _pod_parts(old_template), _pod_parts(new_template)
    try:
        if old.keys() - {"metadata", "spec"} or new.keys() - {"metadata", "spec"}:
            _require_equal(
                {k: v for k, v in old.items() if k not in ("metadata", "spec")},
                {k: v for k, v in new.items() if k not in ("metadata", "spec")},
            )
        images = _image_changes(old.get("spec") or {}, new.get("spec") or {})
        metadata_patch = _metadata_patch(metadata(old), metadata(new))
    except _NotInPlace:
        return None
    return UpdateSpec(revision=revision, container_images=images, metadata_patch=metadata_patch)


def template_of_revision(revision: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod template a ControllerRevision holds (``data.spec.template``), if any."""
    data = revision.get("data")
    spec = data.get("spec") if isinstance(data, Mapping) else None
    template = spec.get("template") if isinstance(spec, Mapping) else None
    return template if isinstance(template, Mapping) else None


def spec_from_revisions(
    old_revision: Mapping[str, Any] | None, new_revision: Mapping[str, Any] | None
) -> UpdateSpec | None:
    """``diff_templates`` for two ControllerRevisions; None if either is missing or holds
    no template. The update's revision is the new revision's name."""
    if old_revision is None or new_revision is None:
        return None
    old_template, new_template = (
        template_of_revision(old_revision),
        template_of_revision(new_revision),
    )
    if old_template is None or new_template is None:
        return None
    return diff_templates(old_template, new_template, name_of(new_revision))


def can_update_in_place(
    old_revision: Mapping[str, Any] | None, new_revision: Mapping[str, Any] | None
) -> bool:
    return spec_from_revisions(old_revision, new_revision) is not None


def _pod_parts(template: Mapping[str, Any]) -> dict[str, Any]:
    pruned = _without_nulls(template)
    assert isinstance(pruned, dict)
    return {k: v for k, v in pruned.items() if k not in _IGNORED_TEMPLATE_KEYS}


def _image_changes(old_spec: Mapping[str, Any], new_spec: Mapping[str, Any]) -> dict[str, str]:
    old_containers, new_containers = old_spec.get("containers"), new_spec.get("containers")
    if old_containers is None and new_containers is None:
        _require_equal(old_spec, new_spec)
        return {}
    if not isinstance(old_containers, list) or not isinstance(new_containers, list):
        raise _NotInPlace
    if len(old_containers) != len(new_containers):
        raise _NotInPlace
    images: dict[str, str] = {}
    for old, new in zip(old_containers, new_containers, strict=True):
        if not isinstance(old, dict) or not isinstance(new, dict):
            raise _NotInPlace
        if old.get("name") != new.get("name"):
            raise _NotInPlace
        old_image, new_image = old.get("image"), new.get("image")
        if old_image != new_image:
            # Only a replaced image will do: adding or removing one is another change.
            if not isinstance(old_image, str) or not isinstance(new_image, str):
                raise _NotInPlace
            images[str(new["name"])] = new_image
    _require_equal(_without_images(old_spec), _without_images(new_spec))
    return images


def _without_images(spec: Mapping[str, Any]) -> dict[str, Any]:
    containers = [{k: v for k, v in c.items() if k != "image"} for c in spec["containers"]]
    return {**spec, "containers": containers}


def _metadata_patch(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any] | None:
    old, new = _without_empty(old), _without_empty(new)
    if old == new:
        return None
    changes: dict[str, Any] = {}
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if key == "finalizers" and isinstance(before, list) and isinstance(after, list):
            _merge_scalars(changes, key, before, after)  # even when equal: see there
            continue
        if before == after:
            continue
        if key in _METADATA_MAPS:
            changes[key] = _map_diff(before or {}, after or {})
        elif after is None or before is None or type(before) is not type(after):
            changes[key] = copy.deepcopy(after)
        elif key == "ownerReferences" and isinstance(after, list):
            _merge_by_uid(changes, key, before, after)
        else:
            changes[key] = copy.deepcopy(after)
    return {"metadata": changes} if changes else None


def _map_diff(old: Any, new: Any) -> dict[str, Any]:
    """Labels or annotations by key: changed and added values, ``None`` for removed keys
    (a map that vanished loses its keys one by one, never the pod's other entries)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        raise _NotInPlace
    diff: dict[str, Any] = {k: v for k, v in new.items() if old.get(k) != v}
    diff.update({k: None for k in old if k not in new})
    return diff


def _merge_scalars(changes: dict[str, Any], key: str, old: list[Any], new: list[Any]) -> None:
    """A merged list of scalars (finalizers): additions, removals and the new order.

    Kubernetes writes the order when something is removed or when the new list differs
    from the old one *sorted* (it sorts the old list in place before comparing), so an
    unchanged unsorted list gets its order written and a change to sorted order does not.
    Same patch, byte for byte, as OpenKruise's."""
    added = [v for v in new if v not in old]
    removed = sorted({v for v in old if v not in new}, key=str)
    if added:
        changes[key] = added
    if removed:
        changes[f"$deleteFromPrimitiveList/{key}"] = removed
    if removed or sorted(old, key=str) != list(new):
        changes[f"$setElementOrder/{key}"] = list(new)


def _merge_by_uid(changes: dict[str, Any], key: str, old: list[Any], new: list[Any]) -> None:
    """A list of objects merged by ``uid`` (owner references): changed or added entries,
    deletions, and the new order."""
    before = {r.get("uid"): r for r in old if isinstance(r, dict)}
    after_uids = {r.get("uid") for r in new if isinstance(r, dict)}
    entries: list[Any] = [copy.deepcopy(r) for r in new if before.get(r.get("uid")) != r]
    entries += [{"$patch": "delete", "uid": uid} for uid in before if uid not in after_uids]
    if entries:
        changes[key] = entries
    changes[f"$setElementOrder/{key}"] = [{"uid": r.get("uid")} for r in new]


def _without_empty(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Metadata without empty maps and lists, which Go leaves out when it encodes them."""
    return {k: v for k, v in meta.items() if v not in ({}, [])}


def _require_equal(old: object, new: object) -> None:
    if old != new:
        raise _NotInPlace


def _without_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
