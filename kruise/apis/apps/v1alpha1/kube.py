"""Kubernetes shapes that Kruise objects embed.

Pod templates, claim templates and Job templates are kept whole by the API server
(``PreserveUnknownFields``): their schemas are Kubernetes', not ours, and the webhooks
validate them. Their TypedDicts name only the outline controllers read.
"""

from typing import Annotated, Any, Literal, Required, TypedDict

from kruise.apis.apps.schema import Doc, PreserveUnknownFields
from kruise.runtime.client.types import ObjectMeta

ConditionStatus = Literal["True", "False", "Unknown"]

# Metadata inside a template: labels, annotations and the rest pass through untouched.
TemplateMeta = Annotated[
    ObjectMeta, PreserveUnknownFields(), Doc("Metadata of the objects created from the template.")
]


class LabelSelectorRequirement(TypedDict, total=False):
    """A label key, an operator (In, NotIn, Exists, DoesNotExist) and values."""

    key: Required[str]
    operator: Required[str]
    values: list[str]


class LabelSelector(TypedDict, total=False):
    """Labels a resource must carry; the terms are ANDed."""

    matchLabels: dict[str, str]
    matchExpressions: list[LabelSelectorRequirement]


class ObjectReference(TypedDict, total=False):
    """A reference to another object."""

    apiVersion: str
    kind: str
    namespace: str
    name: str
    uid: str
    resourceVersion: str
    fieldPath: str


class PodTemplateSpec(TypedDict, total=False):
    metadata: ObjectMeta
    spec: dict[str, Any]


class PersistentVolumeClaim(TypedDict, total=False):
    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: dict[str, Any]
    status: dict[str, Any]


class JobTemplateSpec(TypedDict, total=False):
    metadata: ObjectMeta
    spec: dict[str, Any]


PodTemplate = Annotated[
    PodTemplateSpec,
    PreserveUnknownFields(),
    Doc("The pods to create: a core/v1 PodTemplateSpec."),
]
PersistentVolumeClaimTemplate = Annotated[PersistentVolumeClaim, PreserveUnknownFields()]
JobTemplate = Annotated[JobTemplateSpec, PreserveUnknownFields()]
