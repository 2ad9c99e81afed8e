"""AdmissionReviews and ConversionReviews of schema-drawn objects, as the API server sends them.

Admission: CREATE and UPDATE carry the object (UPDATE also the stored one, often the same
object slightly changed, so the update-only rules run), DELETE only the old object, sent
to the mutating or validating path of the object's kind. Conversion: a few objects of any
kinds and versions, to either version.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from hypothesis import strategies as st

from fuzz.schema import GROUP, NAMESPACE, SERVED, Obj, Served, objects
from kruise.webhook import advancedcronjob, broadcastjob, cloneset, statefulset

ADMISSION_VERSIONS = ("admission.k8s.io/v1", "admission.k8s.io/v1beta1")
CONVERSION_VERSIONS = ("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1")
CONVERT_PATH = "/convert"


def webhook_paths(kind: str) -> tuple[str, str]:
    """The mutating and validating paths of ``kind`` (config/webhook/manifests.yaml)."""
    module = {
        "CloneSet": cloneset,
        "StatefulSet": statefulset,
        "BroadcastJob": broadcastjob,
        "AdvancedCronJob": advancedcronjob,
    }[kind]
    return module.MUTATE_PATH, module.VALIDATE_PATH


@dataclass
class Review:
    """A review before it is sent: where to, and the parsed body."""

    path: str
    body: Obj
    uid: str

    def copy(self) -> Review:
        """A copy sharing nothing with this one, not even between its own parts."""
        return Review(self.path, json.loads(json.dumps(self.body)), self.uid)


uids = st.one_of(st.uuids().map(str), st.sampled_from(["", "u", "\u00e9\u2603", "x" * 300]))


# Pods an update newly asks to delete are read live; some of these names must never be
# read at all (they are not pod names, and a careless read follows them as a path).
pod_names = st.one_of(
    st.sampled_from(["pod-a", "pod-b", "../configmaps/cm", "x/../../configmaps/cm", "cm#", "A"]),
    st.text("abc./#?%-", min_size=1, max_size=20),
    st.text(max_size=10),
)
pods_to_delete = st.lists(pod_names, min_size=1, max_size=3, unique=True)


@st.composite
def _old_object(draw: st.DrawFn, served: Served, obj: Obj) -> Obj:
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return draw(objects(served))
    old = copy.deepcopy(obj)
    spec = obj.get("spec")
    if choice in (1, 2) and served.kind == "CloneSet" and isinstance(spec, dict):
        scale = spec.setdefault("scaleStrategy", {})
        scale["podsToDelete"] = draw(pods_to_delete)
        return old
    spec = old.get("spec")
    if isinstance(spec, dict) and spec and draw(st.booleans()):
        spec.pop(draw(st.sampled_from(sorted(spec))))  # an update that set this field
    return old


@st.composite
def admission_reviews(
    draw: st.DrawFn,
    kinds: tuple[str, ...] = (),
    operations: tuple[str, ...] = ("CREATE", "CREATE", "UPDATE", "UPDATE", "DELETE"),
) -> Review:
    """A well-formed AdmissionReview of a schema-valid object to one of its kind's paths;
    ``kinds`` narrows the kinds, ``operations`` the operations."""
    served: Served = draw(st.sampled_from([s for s in SERVED if not kinds or s.kind in kinds]))
    obj = draw(objects(served))
    operation = draw(st.sampled_from(operations))
    old = draw(_old_object(served, obj)) if operation != "CREATE" else None
    source = obj
    if operation == "DELETE":
        obj = None  # type: ignore[assignment]
    uid = draw(uids)
    request: Obj = {
        "uid": uid,
        "kind": {"group": GROUP, "version": served.version, "kind": served.kind},
        "resource": {"group": GROUP, "version": served.version, "resource": served.plural},
        "requestKind": {"group": GROUP, "version": served.version, "kind": served.kind},
        "name": source["metadata"]["name"],
        "namespace": NAMESPACE,
        "operation": operation,
        "userInfo": {"username": "fuzz", "groups": ["system:authenticated"]},
        "object": obj,
        "oldObject": old,
        "dryRun": draw(st.booleans()),
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": f"{operation.title()}Options"},
    }
    review = {
        "apiVersion": draw(st.sampled_from(ADMISSION_VERSIONS)),
        "kind": "AdmissionReview",
        "request": request,
    }
    path = draw(st.sampled_from(webhook_paths(served.kind)))
    return Review(path, review, uid)


def conversion_review(
    objs: list[Obj], desired: str, uid: str = "c-1", api_version: str = CONVERSION_VERSIONS[0]
) -> Obj:
    return {
        "apiVersion": api_version,
        "kind": "ConversionReview",
        "request": {"uid": uid, "desiredAPIVersion": desired, "objects": objs},
    }


@st.composite
def conversion_reviews(draw: st.DrawFn) -> Review:
    """A well-formed ConversionReview of schema-valid objects of any kinds and versions."""
    objs = draw(st.lists(st.sampled_from(SERVED).flatmap(objects), min_size=0, max_size=3))
    desired = f"{GROUP}/{draw(st.sampled_from(['v1alpha1', 'v1beta1']))}"
    uid = draw(uids)
    api_version = draw(st.sampled_from(CONVERSION_VERSIONS))
    return Review(CONVERT_PATH, conversion_review(objs, desired, uid, api_version), uid)
