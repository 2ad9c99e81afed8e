"""The CloneSet controller (OpenKruise ``pkg/controller/cloneset``).

    if await setup(manager, workers=3):
        ...  # the controller runs once the manager is elected

``reconcile`` holds the loop, ``sync/`` the scale and update phases, ``revision`` the
ControllerRevision history, ``status`` the status, ``instances`` the pods and claims it
creates, ``handlers`` the pod and claim events.
"""

from __future__ import annotations

import structlog

from kruise.apis.apps.v1alpha1 import CLONESETS
from kruise.controller.cloneset.handlers import ClaimEventHandler, PodEventHandler
from kruise.controller.cloneset.reconcile import OWNER_INDEX, CloneSetReconciler, owner_uids
from kruise.controller.cloneset.sync.context import Deps
from kruise.controller.cloneset.sync.strategy import CloneSetOptions
from kruise.runtime.client import PERSISTENT_VOLUME_CLAIMS, PODS, ClientError, is_served
from kruise.runtime.controller import Builder, Controller
from kruise.runtime.events import EventRecorder
from kruise.runtime.expectations import (
    ResourceVersionExpectations,
    ScaleExpectations,
    UpdateExpectations,
)
from kruise.runtime.manager import Manager
from kruise.util.inplaceupdate import InPlaceUpdater

CONTROLLER_NAME = "cloneset-controller"
DEFAULT_WORKERS = 3

__all__ = ["CONTROLLER_NAME", "DEFAULT_WORKERS", "CloneSetOptions", "CloneSetReconciler", "setup"]


async def setup(
    manager: Manager,
    *,
    workers: int = DEFAULT_WORKERS,
    options: CloneSetOptions | None = None,
) -> Controller | None:
    """Add the CloneSet controller to ``manager``, with ``options`` from the manager's
    flags; None (and one log line) when the CloneSet CRD is not served, so a cluster
    without it still runs the rest."""
    log = structlog.get_logger("kruise.controller.cloneset")
    try:
        available = await is_served(manager.client.transport, CLONESETS)
    except ClientError as err:
        log.warning(
            "cannot tell whether CloneSets are served; controller not started", error=str(err)
        )
        return None
    if not available:
        log.info(
            "CloneSet CRD is not served (clonesets.apps.kruise.io/v1alpha1); "
            "CloneSet controller not started"
        )
        return None
    clock, registry = manager.clock, manager.registry
    timeout = manager.options.expectation_timeout
    deps = Deps(
        client=manager.client,
        clock=clock,
        recorder=EventRecorder(manager.client, CONTROLLER_NAME, clock=clock),
        scale_expectations=ScaleExpectations(clock=clock, timeout=timeout, registry=registry),
        update_expectations=UpdateExpectations(clock=clock, timeout=timeout, registry=registry),
        resource_versions=ResourceVersionExpectations(
            clock=clock, timeout=timeout, registry=registry
        ),
        updater=InPlaceUpdater(manager.client, clock=clock),
        options=options or CloneSetOptions(),
    )
    manager.cache.add_index(PODS, OWNER_INDEX, owner_uids)
    manager.cache.add_index(PERSISTENT_VOLUME_CLAIMS, OWNER_INDEX, owner_uids)
    reconciler = CloneSetReconciler(manager.cache, deps, expectation_timeout=timeout)
    pods = PodEventHandler(
        deps.scale_expectations, deps.update_expectations, deps.resource_versions
    )
    return (
        Builder(manager)
        .named(CONTROLLER_NAME)
        .for_(CLONESETS)
        .watches(PODS, pods)
        .watches(PERSISTENT_VOLUME_CLAIMS, ClaimEventHandler(deps.scale_expectations))
        .with_options(workers=workers)
        .complete(reconciler)
    )
