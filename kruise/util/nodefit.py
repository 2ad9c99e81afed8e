"""Whether a pod fits a node: the scheduler's filters a controller can run by itself.

``unfit_reason(pod, node, usage)`` is None when the pod fits, else the first reason it
does not, worded as the scheduler words it. In order:

- node name: a pod naming a node (``spec.nodeName``) fits only that node;
- node selector and required node affinity: every ``nodeSelector`` label, and one of the
  ``nodeSelectorTerms`` (a term holds when all its ``matchExpressions`` and
  ``matchFields`` do; a term with neither, or one that cannot be read, never holds; an
  empty list of terms matches no node); ``matchFields`` knows only ``metadata.name``;
- taints: every ``NoSchedule`` and ``NoExecute`` taint must be tolerated;
- ``spec.unschedulable``: the pod must tolerate ``node.kubernetes.io/unschedulable``;
- resources (only when ``usage`` is given): the node's allocatable pods, and every
  resource the pod requests (CPU, memory, ...), less what the pods already bound there
  take. A node that reports no allocatable amount of a resource has none of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from kruise.util.resources import (
    PODS,
    Requests,
    pod_requests,
    resource_list,
    scheduler_units,
    sum_requests,
)

TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
NO_SCHEDULE = "NoSchedule"
NO_EXECUTE = "NoExecute"
OBJECT_NAME_FIELD = "metadata.name"

NODE_NAME_MISMATCH = "node(s) didn't match the requested node name"
NODE_AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector"
NODE_UNSCHEDULABLE = "node(s) were unschedulable"
TOO_MANY_PODS = "Too many pods"

Obj = Mapping[str, Any]
ZERO = Fraction(0)


@dataclass(frozen=True)
class NodeUsage:
    """What the pods already bound to a node take from it."""

    pods: int = 0
    requests: Requests = field(default_factory=dict)

    @classmethod
    def of(cls, pods: Iterable[Obj]) -> NodeUsage:
        """The usage of ``pods`` (all bound to the node, none finished)."""
        specs = [p.get("spec") or {} for p in pods]
        return cls(len(specs), sum_requests(specs))


def unfit_reason(pod: Obj, node: Obj, usage: NodeUsage | None = None) -> str | None:
    """Why ``pod`` does not fit ``node``, or None when it does (see the module docstring)."""
    spec = pod.get("spec") or {}
    node_name = str((node.get("metadata") or {}).get("name") or "")
    if spec.get("nodeName") and spec.get("nodeName") != node_name:
        return NODE_NAME_MISMATCH
    if not matches_node_selector(spec, node):
        return NODE_AFFINITY_MISMATCH
    taints = (node.get("spec") or {}).get("taints") or ()
    tolerations = spec.get("tolerations") or ()
    for taint in taints:
        if taint.get("effect") in (NO_SCHEDULE, NO_EXECUTE) and not tolerated(taint, tolerations):
            return f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value', '')}}}"
    unschedulable_taint = {"key": TAINT_NODE_UNSCHEDULABLE, "effect": NO_SCHEDULE}
    if (node.get("spec") or {}).get("unschedulable") and not tolerated(
        unschedulable_taint, tolerations
    ):
        return NODE_UNSCHEDULABLE
    if usage is not None:
        return insufficient_resources(spec, node, usage)
    return None


def fits(pod: Obj, node: Obj, usage: NodeUsage | None = None) -> bool:
    """Whether ``pod`` fits ``node``."""
    return unfit_reason(pod, node, usage) is None


# ---- node selector and affinity -----------------------------------------------------


def matches_node_selector(spec: Obj, node: Obj) -> bool:
    """``nodeSelector`` and the required node affinity of a pod spec, against ``node``."""
    node_labels = (node.get("metadata") or {}).get("labels") or {}
    for key, value in (spec.get("nodeSelector") or {}).items():
        if node_labels.get(key) != value:
            return False
    node_affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        return True
    return matches_node_selector_terms(required.get("nodeSelectorTerms") or (), node)


def matches_node_selector_terms(terms: Sequence[Obj], node: Obj) -> bool:
    """Whether any term holds (terms are ORed; none holds in an empty list)."""
    meta = node.get("metadata") or {}
    node_labels = meta.get("labels") or {}
    fields = {OBJECT_NAME_FIELD: str(meta.get("name") or "")}
    return any(_term_holds(term, node_labels, fields) for term in terms)


def _term_holds(term: Obj, node_labels: Mapping[str, str], fields: Mapping[str, str]) -> bool:
    expressions = term.get("matchExpressions") or ()
    match_fields = term.get("matchFields") or ()
    if not expressions and not match_fields:
        return False
    try:
        return all(_requirement_holds(r, node_labels) for r in expressions) and all(
            _field_holds(r, fields) for r in match_fields
        )
    except ValueError:
        return False  # an unreadable term is dropped, as the scheduler does


def _requirement_holds(req: Obj, node_labels: Mapping[str, str]) -> bool:
    key, op = str(req.get("key") or ""), req.get("operator")
    values = [str(v) for v in req.get("values") or ()]
    present, value = key in node_labels, node_labels.get(key)
    if op in ("In", "NotIn"):
        if not values:
            raise ValueError(f"{op} needs values")
        found = present and value in values
        return found if op == "In" else not found
    if op in ("Exists", "DoesNotExist"):
        if values:
            raise ValueError(f"{op} takes no values")
        return present if op == "Exists" else not present
    if op in ("Gt", "Lt"):
        if len(values) != 1:
            raise ValueError(f"{op} needs exactly one value")
        bound = int(values[0])  # ValueError drops the term
        if not present:
            return False
        try:
            number = int(str(value))
        except ValueError:
            return False
        return number > bound if op == "Gt" else number < bound
    raise ValueError(f"unknown operator {op!r}")


def _field_holds(req: Obj, fields: Mapping[str, str]) -> bool:
    key, op = req.get("key"), req.get("operator")
    values = [str(v) for v in req.get("values") or ()]
    if key not in fields:
        raise ValueError(f"field {key!r} is not supported")
    if op not in ("In", "NotIn") or len(values) != 1:
        raise ValueError("matchFields needs In or NotIn with one value")
    found = fields[str(key)] in values
    return found if op == "In" else not found


# ---- taints --------------------------------------------------------------------------


def tolerated(taint: Obj, tolerations: Iterable[Obj]) -> bool:
    """Whether any toleration tolerates ``taint``."""
    return any(_tolerates(t, taint) for t in tolerations)


def _tolerates(toleration: Obj, taint: Obj) -> bool:
    effect = toleration.get("effect")
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key")
    operator = toleration.get("operator") or "Equal"
    if key and key != taint.get("key"):
        return False
    if operator == "Exists":
        return True
    if operator == "Equal":
        return (toleration.get("value") or "") == (taint.get("value") or "")
    return False


# ---- resources -----------------------------------------------------------------------


def insufficient_resources(spec: Obj, node: Obj, usage: NodeUsage) -> str | None:
    """The scheduler's reason when ``node`` lacks room for a pod of ``spec`` beside what
    ``usage`` says is bound there; None when it has room."""
    allocatable = resource_list((node.get("status") or {}).get("allocatable"))
    if usage.pods + 1 > scheduler_units(PODS, allocatable.get(PODS, ZERO)):
        return TOO_MANY_PODS
    for name, amount in sorted(pod_requests(spec).items()):
        asked = scheduler_units(name, amount)
        if asked <= 0 or name == PODS:
            continue
        free = scheduler_units(name, allocatable.get(name, ZERO)) - scheduler_units(
            name, usage.requests.get(name, ZERO)
        )
        if asked > free:
            return f"Insufficient {name}"
    return None
