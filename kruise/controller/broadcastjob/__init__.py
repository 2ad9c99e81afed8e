"""The BroadcastJob controller (OpenKruise ``pkg/controller/broadcastjob``).

    if await setup(manager, workers=3, assign_by_scheduler=True):
        ...  # the controller runs once the manager is elected

``reconcile`` holds the loop, ``nodes`` which nodes the job runs on (through
``kruise.util.nodefit``), ``pods`` the job's pods and the pod it creates, ``calculate``
the numbers, ``sync`` the creations and deletions, ``status`` the status, ``handlers``
the pod and node events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog

from kruise.apis.apps.v1alpha1 import BROADCASTJOBS
from kruise.controller.broadcastjob.context import Deps
from kruise.controller.broadcastjob.handlers import NodeEventHandler, PodEventHandler, holds_node
from kruise.controller.broadcastjob.reconcile import (
    JOB_UID_INDEX,
    NODE_NAME_INDEX,
    BroadcastJobReconciler,
    bound_node,
    job_uid_label,
)
from kruise.runtime.client import NODES, PODS, ClientError, is_served
from kruise.runtime.controller import Builder, Controller
from kruise.runtime.events import EventRecorder
from kruise.runtime.expectations import ScaleExpectations
from kruise.runtime.manager import Manager
from kruise.util.nodefit import NodeUsage

CONTROLLER_NAME = "broadcastjob-controller"
DEFAULT_WORKERS = 3

__all__ = ["CONTROLLER_NAME", "DEFAULT_WORKERS", "BroadcastJobReconciler", "setup"]


async def setup(
    manager: Manager,
    *,
    workers: int = DEFAULT_WORKERS,
    assign_by_scheduler: bool = True,
) -> Controller | None:
    """Add the BroadcastJob controller to ``manager``; None (and one log line) when the
    BroadcastJob CRD is not served, so a cluster without it still runs the rest.
    ``assign_by_scheduler`` is ``--assign-bcj-pods-by-scheduler``."""
    log = structlog.get_logger("kruise.controller.broadcastjob")
    try:
        available = await is_served(manager.client.transport, BROADCASTJOBS)
    except ClientError as err:
        log.warning(
            "cannot tell whether BroadcastJobs are served; controller not started", error=str(err)
        )
        return None
    if not available:
        log.info(
            "BroadcastJob CRD is not served (broadcastjobs.apps.kruise.io/v1alpha1); "
            "BroadcastJob controller not started"
        )
        return None
    clock, cache = manager.clock, manager.cache
    timeout = manager.options.expectation_timeout
    deps = Deps(
        client=manager.client,
        clock=clock,
        recorder=EventRecorder(manager.client, CONTROLLER_NAME, clock=clock),
        scale_expectations=ScaleExpectations(
            clock=clock, timeout=timeout, registry=manager.registry
        ),
        assign_by_scheduler=assign_by_scheduler,
    )
    cache.add_index(PODS, JOB_UID_INDEX, job_uid_label)
    cache.add_index(PODS, NODE_NAME_INDEX, bound_node)
    jobs, pods, nodes = cache.informer(BROADCASTJOBS), cache.informer(PODS), cache.informer(NODES)

    def usage_of(node_name: str) -> NodeUsage:
        # Read straight from the store: handlers cannot await, and a reconcile calls this
        # only after reading pods through the cache, so the informer has synced.
        bound = pods.store.by_index(NODE_NAME_INDEX, node_name)
        return NodeUsage.of(p for p in bound if holds_node(p))

    def node_of(name: str) -> Mapping[str, Any] | None:
        return nodes.get(name)

    reconciler = BroadcastJobReconciler(cache, deps, usage_of, expectation_timeout=timeout)
    return (
        Builder(manager)
        .named(CONTROLLER_NAME)
        .for_(BROADCASTJOBS)
        .watches(PODS, PodEventHandler(deps.scale_expectations, jobs.list, node_of))
        .watches(NODES, NodeEventHandler(jobs.list, usage_of))
        .with_options(workers=workers)
        .complete(reconciler)
    )
