"""Shapes of the JSON the API server speaks, for mypy and for readers.

Objects stay plain dicts (``KubeObject``); the TypedDicts name the fields this
package itself reads. Cast an object's ``metadata`` to ``ObjectMeta`` where
that helps.
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypedDict

KubeObject = dict[str, Any]


class OwnerReference(TypedDict, total=False):
    """metav1.OwnerReference; ``controller: true`` marks the one owner that manages the object."""

    apiVersion: str
    kind: str
    name: str
    uid: str
    controller: bool
    blockOwnerDeletion: bool


class ObjectMeta(TypedDict, total=False):
    """metav1.ObjectMeta, the fields of ``metadata`` this package reads."""

    name: str
    generateName: str
    namespace: str
    uid: str
    resourceVersion: str
    generation: int
    creationTimestamp: str
    deletionTimestamp: str
    deletionGracePeriodSeconds: int
    labels: dict[str, str]
    annotations: dict[str, str]
    ownerReferences: list[OwnerReference]
    finalizers: list[str]
    managedFields: list[dict[str, Any]]


class StatusCause(TypedDict, total=False):
    """One reason a request failed, usually naming the ``field`` at fault."""

    reason: str
    message: str
    field: str


class StatusDetails(TypedDict, total=False):
    """metav1.StatusDetails: which object a Status is about, and why in detail."""

    name: str
    group: str
    kind: str
    uid: str
    causes: list[StatusCause]
    retryAfterSeconds: int


class Status(TypedDict, total=False):
    """metav1.Status: the body of every error response and of watch ERROR events."""

    apiVersion: str
    kind: str
    status: str
    message: str
    reason: str
    details: StatusDetails
    code: int


class ObjectList(NamedTuple):
    """Every item of a (possibly paged) list and the list's resourceVersion."""

    items: list[KubeObject]
    resource_version: str


class WatchEvent(NamedTuple):
    """One watch event; unpacks as ``(event_type, obj)``.

    ``event_type`` is ADDED, MODIFIED, DELETED or BOOKMARK (ERROR events are
    raised as ``ApiError``). A bookmark's object carries only
    ``metadata.resourceVersion`` (and annotations).
    """

    type: str
    object: KubeObject
