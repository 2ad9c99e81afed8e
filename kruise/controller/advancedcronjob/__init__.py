"""The AdvancedCronJob controller (OpenKruise ``pkg/controller/advancedcronjob``).

    if await setup(manager, workers=3):
        ...  # the controller runs once the manager is elected

``reconcile`` holds the loop; ``cron`` reads a schedule in its time zone, ``plan`` says
which run is due, ``children`` builds and reads the Jobs and BroadcastJobs it creates,
``status`` keeps ``lastScheduleTime`` and ``active``, ``metrics`` times how late runs start.
The controller reads the manager's clock, so tests drive schedules without waiting.
"""

from __future__ import annotations

import structlog

from kruise.apis.apps.v1alpha1 import ADVANCEDCRONJOBS, BROADCASTJOBS
from kruise.controller.advancedcronjob.metrics import creation_skew
from kruise.controller.advancedcronjob.reconcile import (
    OWNER_INDEX,
    AdvancedCronJobReconciler,
    Deps,
    ForgetDeleted,
    controller_uid,
)
from kruise.runtime.client import JOBS, ClientError, is_served
from kruise.runtime.controller import Builder, Controller
from kruise.runtime.events import EventRecorder
from kruise.runtime.expectations import ResourceVersionExpectations
from kruise.runtime.manager import Manager

CONTROLLER_NAME = "advancedcronjob-controller"
DEFAULT_WORKERS = 3

__all__ = ["CONTROLLER_NAME", "DEFAULT_WORKERS", "AdvancedCronJobReconciler", "setup"]


async def setup(manager: Manager, *, workers: int = DEFAULT_WORKERS) -> Controller | None:
    """Add the AdvancedCronJob controller to ``manager``; None (and one log line) when
    AdvancedCronJobs are not served, so a cluster without the CRD still runs the rest."""
    log = structlog.get_logger("kruise.controller.advancedcronjob")
    try:
        available = await is_served(manager.client.transport, ADVANCEDCRONJOBS)
        broadcast_jobs = available and await is_served(manager.client.transport, BROADCASTJOBS)
    except ClientError as err:
        log.warning(
            "cannot tell whether AdvancedCronJobs are served; controller not started",
            error=str(err),
        )
        return None
    if not available:
        log.info(
            "AdvancedCronJob CRD is not served (advancedcronjobs.apps.kruise.io/v1alpha1); "
            "AdvancedCronJob controller not started"
        )
        return None
    clock, timeout = manager.clock, manager.options.expectation_timeout
    deps = Deps(
        client=manager.client,
        cache=manager.cache,
        clock=clock,
        recorder=EventRecorder(manager.client, CONTROLLER_NAME, clock=clock),
        creation_skew=creation_skew(manager.registry),
        versions=ResourceVersionExpectations(
            clock=clock, timeout=timeout, registry=manager.registry
        ),
        expectation_timeout=timeout,
    )
    builder = (
        Builder(manager)
        .named(CONTROLLER_NAME)
        .for_(ADVANCEDCRONJOBS)
        .watches(ADVANCEDCRONJOBS, ForgetDeleted(deps.versions))
    )
    children = [JOBS, BROADCASTJOBS] if broadcast_jobs else [JOBS]
    for resource in children:
        manager.cache.add_index(resource, OWNER_INDEX, controller_uid)
        builder = builder.owns(resource)
    return builder.with_options(workers=workers).complete(AdvancedCronJobReconciler(deps))
