"""The Advanced StatefulSet controller (OpenKruise ``pkg/controller/statefulset``).

    if await setup(manager, workers=3):
        ...  # the controller runs once the manager is elected

``reconcile`` holds the loop, ``control`` the pod-management pass, ``rolling`` the
rolling update, ``identity`` what makes a pod the set's pod ``<set>-<ordinal>``,
``podcontrol`` the writes of pods and claims, ``retention`` the claims' owners under
``persistentVolumeClaimRetentionPolicy``, ``podstate`` pod health and lifecycle,
``revision`` the ControllerRevision history, ``status`` the status, ``handlers`` the pod
and claim events.
"""

from __future__ import annotations

import structlog

from kruise.apis.apps.v1beta1 import STATEFULSETS
from kruise.controller.statefulset.context import Deps
from kruise.controller.statefulset.handlers import ClaimEventHandler, PodEventHandler
from kruise.controller.statefulset.reconcile import StatefulSetReconciler
from kruise.runtime.client import PERSISTENT_VOLUME_CLAIMS, PODS, ClientError, is_served
from kruise.runtime.controller import Builder, Controller
from kruise.runtime.events import EventRecorder
from kruise.runtime.expectations import ResourceVersionExpectations, UpdateExpectations
from kruise.runtime.manager import Manager
from kruise.util.inplaceupdate import InPlaceUpdater

CONTROLLER_NAME = "statefulset-controller"
DEFAULT_WORKERS = 3

__all__ = ["CONTROLLER_NAME", "DEFAULT_WORKERS", "StatefulSetReconciler", "setup"]


async def setup(manager: Manager, *, workers: int = DEFAULT_WORKERS) -> Controller | None:
    """Add the Advanced StatefulSet controller to ``manager``; None (and one log line) when
    ``statefulsets.apps.kruise.io/v1beta1`` is not served, so a cluster without the CRD
    still runs the rest."""
    log = structlog.get_logger("kruise.controller.statefulset")
    try:
        available = await is_served(manager.client.transport, STATEFULSETS)
    except ClientError as err:
        log.warning(
            "cannot tell whether Advanced StatefulSets are served; controller not started",
            error=str(err),
        )
        return None
    if not available:
        log.info(
            "Advanced StatefulSet CRD is not served (statefulsets.apps.kruise.io/v1beta1); "
            "StatefulSet controller not started"
        )
        return None
    clock, registry = manager.clock, manager.registry
    timeout = manager.options.expectation_timeout
    deps = Deps(
        client=manager.client,
        clock=clock,
        recorder=EventRecorder(manager.client, CONTROLLER_NAME, clock=clock),
        update_expectations=UpdateExpectations(clock=clock, timeout=timeout, registry=registry),
        resource_versions=ResourceVersionExpectations(
            clock=clock, timeout=timeout, registry=registry
        ),
        updater=InPlaceUpdater(manager.client, clock=clock),
    )
    reconciler = StatefulSetReconciler(manager.cache, deps, expectation_timeout=timeout)
    return (
        Builder(manager)
        .named(CONTROLLER_NAME)
        .for_(STATEFULSETS)
        .watches(PODS, PodEventHandler(deps.update_expectations, deps.resource_versions))
        .watches(PERSISTENT_VOLUME_CLAIMS, ClaimEventHandler())
        .with_options(workers=workers)
        .complete(reconciler)
    )
