"""Strategies of apps.kruise.io objects, walked from the CRDs' openAPIV3Schema.

Every kind and version ``config/crd/bases`` serves becomes a :class:`Served`; ``objects``
draws objects the schema accepts: objects with their required members and any of the
others, arrays, enums, int32/int64 ranges and minimums, date-times, int-or-string values.
The schema says nothing inside ``x-kubernetes-preserve-unknown-fields`` nodes, so pod
templates, claim templates and job templates are drawn by hand there, and ``metadata``
(just ``type: object`` in a CRD) likewise. Drawn objects are often "coherent" (the
template carries the selector's labels), so validation gets past its first error.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import strategies as st
from support.paths import REPO_ROOT

from kruise.apis.apps.conversion import CARRIED_FIELDS_ANNOTATION

Obj = dict[str, Any]
Strategy = st.SearchStrategy[Any]

CRD_DIR = REPO_ROOT / "config/crd/bases"
GROUP = "apps.kruise.io"
NAMESPACE = "fuzz"

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class Served:
    """One kind in one version, as its CRD serves it."""

    kind: str
    plural: str
    version: str
    schema: Obj

    @property
    def api_version(self) -> str:
        return f"{GROUP}/{self.version}"


def served() -> list[Served]:
    """Every kind and version of the CRDs in config/crd/bases, sorted."""
    found = []
    for path in sorted(CRD_DIR.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        names = crd["spec"]["names"]
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                schema = version["schema"]["openAPIV3Schema"]
                found.append(Served(names["kind"], names["plural"], version["name"], schema))
    return found


SERVED = served()


# ---- leaves -------------------------------------------------------------------------

names = st.text("abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=12)
label_keys = st.sampled_from(["app", "tier", "x.io/role", "apps.kruise.io/x", "bad key!", ""])
label_values = st.sampled_from(["a", "b", "", "true", "v" * 64])
label_maps = st.dictionaries(label_keys, label_values, max_size=3)
# Strings a validator parses (numbers, percentages, quantities, cron lines), and names
# that must never become part of a URL (a pod read for podsToDelete).
parsed_strings = st.sampled_from(
    ["", "0", "1", "-1", "50%", "100%", "150%", "-5%", "x%", "1.5", "1Gi", "*/5 * * * *",
     "@daily", "../configmaps/cm", "x/../../configmaps/cm", "cm#", "a?b=c"]
)  # fmt: skip
strings = st.one_of(names, parsed_strings, st.text(max_size=8))
timestamps = st.sampled_from(["2024-02-29T12:00:00Z", "1970-01-01T00:00:00Z", "not a time"])
int_or_string = st.one_of(
    st.integers(-3, 10),
    st.integers(*INT32),
    st.sampled_from(["0%", "25%", "50%", "100%", "101%", "-1%", "3", "x", ""]),
)
small_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 2**40) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(names, inner, max_size=2),
    max_leaves=6,
)


def _integers(schema: Obj) -> Strategy:
    low, high = INT64 if schema.get("format") == "int64" else INT32
    low = max(low, int(schema.get("minimum", low)))
    high = min(high, int(schema.get("maximum", high)))
    return st.one_of(st.integers(max(low, -3), min(high, 10)), st.integers(low, high))


def _string(schema: Obj) -> Strategy:
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if schema.get("format") == "date-time":
        return timestamps
    return strings


# ---- what the schema leaves open ------------------------------------------------------


def fresh(value: Any) -> Strategy:
    """``value``, a new copy each draw: a break of one drawn object must not reach another."""
    return st.builds(copy.deepcopy, st.just(value))


def containers() -> Strategy:
    return st.fixed_dictionaries(
        {
            "name": st.sampled_from(["main", "side", "Bad_Name"]),
            "image": st.sampled_from(["nginx:1.25", "nginx:1.26", "", "busybox"]),
        },
        optional={
            "imagePullPolicy": st.sampled_from(["Always", "IfNotPresent", "Sometimes"]),
            "env": st.lists(st.fixed_dictionaries({"name": names, "value": strings}), max_size=2),
            "resources": fresh({"requests": {"cpu": "100m"}}),
        },
    )


def pod_templates() -> Strategy:
    return st.fixed_dictionaries(
        {
            "metadata": st.fixed_dictionaries({}, optional={"labels": label_maps}),
            "spec": st.fixed_dictionaries(
                {"containers": st.lists(containers(), min_size=0, max_size=2)},
                optional={
                    "restartPolicy": st.sampled_from(["Always", "Never", "OnFailure", "Nope"]),
                    "readinessGates": fresh([{"conditionType": "InPlaceUpdateReady"}]),
                },
            ),
        }
    )


def claim_templates() -> Strategy:
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    return st.fixed_dictionaries(
        {"metadata": st.fixed_dictionaries({"name": names}), "spec": fresh(spec)}
    )


def job_templates() -> Strategy:
    return st.fixed_dictionaries(
        {"spec": st.fixed_dictionaries({"template": pod_templates()})},
        optional={"metadata": st.fixed_dictionaries({}, optional={"labels": label_maps})},
    )


# The annotation in which a v1alpha1 object carries its v1beta1-only fields: readable,
# stale, or garbage.
carried = st.dictionaries(
    st.just(CARRIED_FIELDS_ANNOTATION),
    st.sampled_from(
        [
            "{",
            "[]",
            "null",
            "{}",
            '{"spec":{"reserveOrdinals":[1]}}',
            '{"overrides":1}',
            '{"overrides":{"/spec/x":{"converted":1}}}',
            '{"spec":{"lifecycle":"x"}}',
        ]
    ),
    max_size=1,
)


def metadata() -> Strategy:
    return st.fixed_dictionaries(
        {"name": names, "namespace": st.just(NAMESPACE)},
        optional={
            "labels": label_maps,
            "annotations": st.one_of(label_maps, carried),
            "uid": st.sampled_from(["0d6c4b52-1111-4000-8000-00000000abcd", ""]),
            "resourceVersion": st.sampled_from(["1", "42"]),
            "generation": st.integers(0, 5),
            "finalizers": st.lists(names, max_size=1),
        },
    )


def _unknown(path: str) -> Strategy:
    """What to draw at a ``x-kubernetes-preserve-unknown-fields`` node, by its path."""
    if path.endswith(".volumeClaimTemplates[]"):
        return claim_templates()
    if path.endswith(".jobTemplate"):
        return job_templates()
    if path.endswith(".template"):
        return pod_templates()
    if path.endswith(".metadata"):
        return st.fixed_dictionaries({}, optional={"labels": label_maps})
    return st.dictionaries(names, small_json, max_size=2)


# ---- the walk -------------------------------------------------------------------------


# Built once per schema node: hypothesis draws far faster from a strategy it has seen.
# The node is kept beside its strategy so its id is never reused.
_built: dict[tuple[int, str], tuple[Obj, Strategy]] = {}


def from_schema(schema: Obj, path: str = "") -> Strategy:
    """Values ``schema`` accepts; ``path`` (``.spec.template``) picks the hand-drawn ones."""
    key = (id(schema), path)
    if key not in _built:
        _built[key] = (schema, _walk(schema, path))
    return _built[key][1]


def _walk(schema: Obj, path: str) -> Strategy:
    if path == ".metadata":
        return metadata()
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return _unknown(path)
    if schema.get("x-kubernetes-int-or-string"):
        return int_or_string
    kind = schema.get("type")
    if kind == "object":
        return _object(schema, path)
    if kind == "array":
        return st.lists(from_schema(schema["items"], path + "[]"), max_size=3)
    if kind == "integer":
        return _integers(schema)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return _string(schema)
    return small_json


def _object(schema: Obj, path: str) -> Strategy:
    if "additionalProperties" in schema and not schema.get("properties"):
        values = schema["additionalProperties"]
        inner = from_schema(values, path + "{}") if isinstance(values, dict) else small_json
        return st.dictionaries(names, inner, max_size=2)
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    strategies = {key: from_schema(sub, f"{path}.{key}") for key, sub in properties.items()}
    return st.fixed_dictionaries(
        {key: s for key, s in strategies.items() if key in required},
        optional={key: s for key, s in strategies.items() if key not in required},
    )


# ---- whole objects --------------------------------------------------------------------


def _selector_paths(obj: Obj) -> Iterator[tuple[Obj, Obj]]:
    """(selector, pod template) pairs of ``obj`` that should agree."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    template = spec.get("template")
    if isinstance(spec.get("selector"), dict) and isinstance(template, dict):
        yield spec["selector"], template


def _cohere(obj: Obj) -> Obj:
    """Make the selector select the template and the template have a container."""
    for selector, template in _selector_paths(obj):
        labels = selector.get("matchLabels") or {"app": "a"}
        selector.clear()
        selector["matchLabels"] = labels
        template.setdefault("metadata", {})["labels"] = dict(labels)
        template.setdefault("spec", {}).setdefault("containers", [])
        if not template["spec"]["containers"]:
            template["spec"]["containers"].append({"name": "main", "image": "nginx:1.25"})
    return obj


_tops = {
    (s.kind, s.version): from_schema({**s.schema, "required": ["metadata", "spec"]}) for s in SERVED
}


@st.composite
def objects(draw: st.DrawFn, served: Served) -> Obj:
    """An object of ``served``'s kind and version that its schema accepts."""
    obj: Obj = draw(_tops[served.kind, served.version])
    obj["apiVersion"] = served.api_version
    obj["kind"] = served.kind
    if draw(st.booleans()):
        obj.pop("status", None)
    return _cohere(obj) if draw(st.integers(0, 3)) else obj
