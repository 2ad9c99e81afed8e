"""The annotations an in-place update leaves on its pod, and their timestamps.

The state annotation records, when the update starts, the revision it moves to, when it
started and each changed container's status before the change. Its JSON is OpenKruise's::

    {"revision": "web-7f9c", "updateTimestamp": "2024-05-01T10:00:00Z",
     "lastContainerStatuses": {"app": {"imageID": "docker.io/library/nginx@sha256:..."}}}

We add ``containerID`` beside each ``imageID`` (Go readers ignore the extra field): it
lets the completion check recognise a new image that has the old image's ID. The grace
annotation holds an ``UpdateSpec`` while its grace period runs. Both are read under
their ``apps.kruise.io/`` names first, then under OpenKruise v0.7.0's bare names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kruise.util.inplaceupdate.errors import InvalidAnnotation
from kruise.util.inplaceupdate.names import GRACE_ANNOTATIONS, STATE_ANNOTATIONS
from kruise.util.inplaceupdate.spec import UpdateSpec


@dataclass(frozen=True)
class ContainerRecord:
    """A container's status when the update started. ``container_id`` is None when the
    state was written by OpenKruise, which does not record it."""

    image_id: str
    container_id: str | None = None


@dataclass(frozen=True)
class InPlaceUpdateState:
    revision: str
    update_timestamp: str
    last_container_statuses: Mapping[str, ContainerRecord] = field(default_factory=dict)

    def to_json(self) -> str:
        statuses: dict[str, dict[str, str]] = {}
        for name, record in self.last_container_statuses.items():
            statuses[name] = {"imageID": record.image_id}
            if record.container_id is not None:
                statuses[name]["containerID"] = record.container_id
        out = {
            "revision": self.revision,
            "updateTimestamp": self.update_timestamp,
            "lastContainerStatuses": statuses,
        }
        return json.dumps(out, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> InPlaceUpdateState:
        """Parse the annotation's value; raises ``InvalidAnnotation``."""
        try:
            raw = json.loads(text)
            if not isinstance(raw, dict):
                raise TypeError("not an object")
            records = {
                str(name): ContainerRecord(
                    image_id=str(status.get("imageID") or ""),
                    container_id=_optional_str(status.get("containerID")),
                )
                for name, status in (raw.get("lastContainerStatuses") or {}).items()
            }
            return cls(
                revision=str(raw.get("revision") or ""),
                update_timestamp=str(raw.get("updateTimestamp") or ""),
                last_container_statuses=records,
            )
        except (ValueError, TypeError, AttributeError) as err:
            raise InvalidAnnotation(f"in-place update state {text!r}: {err}") from err


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def pod_annotations(pod: Mapping[str, Any]) -> Mapping[str, str]:
    return (pod.get("metadata") or {}).get("annotations") or {}


def _first(pod: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    found = pod_annotations(pod)
    for key in keys:
        if found.get(key):
            return found[key]
    return None


def read_state(pod: Mapping[str, Any]) -> InPlaceUpdateState | None:
    """The pod's in-place update state, None if it has none; raises ``InvalidAnnotation``."""
    text = _first(pod, STATE_ANNOTATIONS)
    return None if text is None else InPlaceUpdateState.from_json(text)


def read_grace(pod: Mapping[str, Any]) -> UpdateSpec | None:
    """The update waiting for its grace period, None if none; raises ``InvalidAnnotation``."""
    text = _first(pod, GRACE_ANNOTATIONS)
    return None if text is None else UpdateSpec.from_json(text)


def has_pending_grace(pod: Mapping[str, Any]) -> bool:
    """True while the pod waits out a grace period (controllers skip such pods)."""
    return _first(pod, GRACE_ANNOTATIONS) is not None


def format_time(wall: float) -> str:
    """RFC 3339 in UTC to the second, as metav1.Time is written."""
    return datetime.fromtimestamp(int(wall), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> float:
    """Seconds since the epoch of an RFC 3339 time; raises ``InvalidAnnotation``."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise InvalidAnnotation(f"time {text!r}: {err}") from err
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
