"""Which nodes a BroadcastJob runs on.

A node without a pod of the job is tested with the pod the job would create there,
resources included (against the pods already bound to it). A node with a pod of the job
is tested with that pod, resources left out: the pod already holds them. A running pod
on a node that no longer fits is deleted; a finished one is left as the record of its run,
and the node is simply no longer desired.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kruise.controller.broadcastjob.pods import Pod, is_running, mock_pod
from kruise.runtime.meta import name_of
from kruise.util.nodefit import NodeUsage, insufficient_resources, unfit_reason


@dataclass(frozen=True)
class NodeSelection:
    desired: dict[str, Pod | None] = field(default_factory=dict)
    """Every node that fits, with the job's pod there (None while it has none)."""
    rest: list[str] = field(default_factory=list)
    """Fitting nodes without a pod of the job, by name."""
    to_delete: list[Pod] = field(default_factory=list)
    """Running pods of the job on nodes that no longer fit."""
    unfit: dict[str, str] = field(default_factory=dict)
    """Node name -> why the job's pod does not fit there."""


def select_nodes(
    job: Mapping[str, Any],
    nodes: Iterable[Mapping[str, Any]],
    pods_by_node: Mapping[str, Pod],
    usage_of: Callable[[str], NodeUsage],
) -> NodeSelection:
    """Sort ``nodes`` into desired, still to run and to clear, for ``job`` whose pods are
    ``pods_by_node``; ``usage_of(node name)`` is what other pods take there."""
    selection = NodeSelection()
    for node in sorted(nodes, key=name_of):
        name = name_of(node)
        pod = pods_by_node.get(name)
        if pod is not None:
            reason = unfit_reason(pod, node)
        else:
            mock = mock_pod(job, name)
            reason = unfit_reason(mock, node)
            if reason is None:  # only then is the room there worth counting
                reason = insufficient_resources(mock["spec"], node, usage_of(name))
        if reason is not None:
            selection.unfit[name] = reason
            if pod is not None and is_running(pod):
                selection.to_delete.append(pod)
            continue
        selection.desired[name] = pod
        if pod is None:
            selection.rest.append(name)
    return selection
