"""Set a controller up once the API server serves its resources.

A controller for a custom resource cannot run while its CRD is missing, or serves
other versions than the one the controller reads. Rather than refuse to start, the
manager runs everything else and the controller waits:

    await setup_when_served(manager, [CLONESETS], lambda: cloneset.setup(manager),
                            name="cloneset-controller")

If every resource is served, ``setup`` runs at once. Otherwise one line names the
controller and the resources it waits for, and a leader-only runnable asks discovery
every ``poll_interval`` seconds; when they are served it calls ``setup``, whose
controller the manager starts at once (no restart). Readiness is not affected: the
replica serves webhooks for every kind whatever a controller waits for, and a
restart would not install a CRD.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from kruise.runtime.client import ClientError, Resource, is_served
from kruise.runtime.log import get_logger
from kruise.runtime.manager.manager import Manager

DEFAULT_POLL_INTERVAL = 10.0

Setup = Callable[[], Awaitable[object]]

log = get_logger("manager")


def describe(resource: Resource) -> str:
    """``clonesets.apps.kruise.io/v1alpha1``, or ``pods/v1`` for the core group."""
    qualified = f"{resource.plural}.{resource.group}" if resource.group else resource.plural
    return f"{qualified}/{resource.version}"


async def unserved(manager: Manager, resources: Sequence[Resource]) -> list[str]:
    """The resources (as ``describe`` names them) the API server does not serve now.
    Raises ``ClientError`` when discovery cannot tell."""
    missing = []
    for resource in resources:
        if not await is_served(manager.client.transport, resource):
            missing.append(describe(resource))
    return missing


async def setup_when_served(
    manager: Manager,
    resources: Sequence[Resource],
    setup: Setup,
    *,
    name: str,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
) -> bool:
    """Call ``setup`` now if ``resources`` are served, else once they are; True if it
    ran now. ``setup`` returning None means it declined (the resource went away in
    between): it is called again on a later poll."""
    try:
        missing = await unserved(manager, resources)
    except ClientError as err:
        missing = [describe(r) for r in resources]
        log.warning("cannot tell whether resources are served", controller=name, error=str(err))
    if not missing and await setup() is not None:
        return True
    log.info(
        "waiting for the API server to serve the CRD; the controller starts when it does",
        controller=name,
        waiting_for=", ".join(missing or [describe(r) for r in resources]),
    )
    manager.add(WhenServed(manager, resources, setup, name=name, poll_interval=poll_interval))
    return False


class WhenServed:
    """A leader-only runnable: poll discovery until ``resources`` are served, then call
    ``setup`` (which adds the controller to the running manager) and idle until stopped."""

    def __init__(
        self,
        manager: Manager,
        resources: Sequence[Resource],
        setup: Setup,
        *,
        name: str,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        self._manager = manager
        self._resources = tuple(resources)
        self._setup = setup
        self.name = name
        self._poll_interval = poll_interval

    async def start(self, stopping: asyncio.Event) -> None:
        """Wait for the resources, set the controller up, then wait for ``stopping``."""
        while not stopping.is_set():
            if await self._try_setup():
                break
            await self._pause(stopping)
        await stopping.wait()

    async def _pause(self, stopping: asyncio.Event) -> None:
        """``poll_interval`` of the manager's clock, or less if ``stopping`` is set."""
        sleeping = asyncio.ensure_future(self._manager.clock.sleep(self._poll_interval))
        waking = asyncio.ensure_future(stopping.wait())
        try:
            await asyncio.wait({sleeping, waking}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeping.cancel()
            waking.cancel()
            await asyncio.gather(sleeping, waking, return_exceptions=True)

    async def _try_setup(self) -> bool:
        try:
            if await unserved(self._manager, self._resources):
                return False
            log.info(
                "the CRD is served now; starting the controller",
                controller=self.name,
                resources=", ".join(describe(r) for r in self._resources),
            )
            return await self._setup() is not None
        except ClientError as err:
            log.debug("discovery failed; asking again later", controller=self.name, error=str(err))
            return False
