"""The manager hosts runnables and runs them in controller-runtime's order.

Start: metrics and probe servers, then runnables that run in every replica (webhook
server, certificate controller), then the cache, then leader election, then the
leader-only runnables (controllers). A runnable added while its group runs starts at
once (a controller whose CRD appeared later). Stop (on ``stop`` being set): leader runnables get
``graceful_shutdown_timeout`` to finish in-flight work, the Lease is released so a
standby takes over at once, then the rest stops in reverse order. Losing the Lease
stops the controllers at once and makes ``run`` raise ``LeadershipLost``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web
from prometheus_client import CollectorRegistry

from kruise.runtime.cache import Cache
from kruise.runtime.cache.metrics import register_informer_metrics
from kruise.runtime.client import Client
from kruise.runtime.clock import Clock, RealClock
from kruise.runtime.log import get_logger
from kruise.runtime.manager.healthz import HealthChecks
from kruise.runtime.manager.leaderelection import (
    LeaderElectionConfig,
    LeaderElector,
    LeadershipLost,
)
from kruise.runtime.metrics import (
    ControllerMetrics,
    LeaderElectionMetrics,
    metrics_app,
    new_registry,
)
from kruise.runtime.workqueue import (
    RateLimiter,
    WorkqueueMetricsProvider,
    default_controller_rate_limiter,
)

log = get_logger("manager")


class Runnable(Protocol):
    """Anything a ``Manager`` starts and stops: controllers, webhook servers, certificate
    controllers."""

    async def start(self, stopping: asyncio.Event) -> None:
        """Run until ``stopping`` is set, then finish in-flight work and return."""
        ...


@dataclass
class ManagerOptions:
    """How a ``Manager`` serves, elects and throttles; kruise-manager fills it from its flags."""

    metrics_addr: str = ":8080"  # "0" disables
    health_probe_addr: str = ":8000"  # "0" disables
    leader_election: bool = False
    leader_election_id: str = "kruise-manager"
    leader_election_namespace: str = "kube-system"
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0
    graceful_shutdown_timeout: float = 30.0
    namespace: str | None = None  # cache only this namespace
    expectation_timeout: float = 300.0
    rate_limiter_base_delay: float = 0.005
    rate_limiter_max_delay: float = 1000.0
    rate_limiter_qps: float = 10.0
    rate_limiter_bucket_size: int = 100


def parse_listen_address(address: str) -> tuple[str, int] | None:
    """``":8080"`` -> all interfaces; ``"127.0.0.1:0"`` -> a free port; ``"0"`` -> disabled."""
    if address in {"", "0"}:
        return None
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"invalid listen address {address!r}: expected [host]:port")
    return host or "0.0.0.0", int(port)


def default_identity() -> str:
    """This replica's name in the Lease: the host name and a random UUID."""
    return f"{socket.gethostname()}_{uuid.uuid4()}"


class Manager:
    """Runs a replica's controllers and servers over one client, cache and metrics registry.

    Components built from a manager share its ``cache`` (one informer per resource), its
    ``registry`` and its ``clock``. Leader-only runnables run only while this replica holds
    the Lease (always, without leader election); the rest run in every replica. See the
    module docstring for the start and stop order.
    """

    def __init__(
        self,
        client: Client,
        options: ManagerOptions | None = None,
        *,
        registry: CollectorRegistry | None = None,
        clock: Clock | None = None,
        cache: Cache | None = None,
        election_client: Client | None = None,
        identity: str | None = None,
    ) -> None:
        self.client = client
        self.options = options or ManagerOptions()
        self.clock = clock or RealClock()
        self.registry = registry if registry is not None else new_registry()
        self.cache = cache or Cache(client, namespace=self.options.namespace, clock=self.clock)
        self.controller_metrics = ControllerMetrics(self.registry)
        self.workqueue_metrics = WorkqueueMetricsProvider(self.registry)
        register_informer_metrics(self.registry, lambda: self.cache.informers().values())
        self.health = HealthChecks()
        self.identity = identity or os.environ.get("POD_NAME") or default_identity()
        self.elected = asyncio.Event()
        self.addresses: dict[str, tuple[str, int]] = {}
        self._leader_runnables: list[Runnable] = []
        self._runnables: list[Runnable] = []
        # While a group runs: its stop event and tasks, by needs_leader_election.
        self._running: dict[bool, tuple[asyncio.Event, list[asyncio.Task[None]]]] = {}
        self._ended = asyncio.Event()  # some runnable returned or failed
        self._elector: LeaderElector | None = None
        if self.options.leader_election:
            self._elector = LeaderElector(
                election_client or client,
                LeaderElectionConfig(
                    name=self.options.leader_election_id,
                    namespace=self.options.leader_election_namespace,
                    identity=self.identity,
                    lease_duration=self.options.lease_duration,
                    renew_deadline=self.options.renew_deadline,
                    retry_period=self.options.retry_period,
                ),
                clock=self.clock,
                metrics=LeaderElectionMetrics(self.registry),
            )
        self.health.add_healthz("ping", _always_ok)
        self.health.add_readyz("cache-sync", self._check_cache_synced)
        self.health.add_healthz("leader-election", self._check_election)
        self.health.add_readyz("leader-election", self._check_election)

    def add(self, runnable: Runnable, *, needs_leader_election: bool = True) -> None:
        """Leader-only runnables start once elected; others start in every replica. Added
        while its group runs, a runnable starts at once."""
        (self._leader_runnables if needs_leader_election else self._runnables).append(runnable)
        running = self._running.get(needs_leader_election)
        if running is not None:
            stopping, tasks = running
            tasks.append(self._start(runnable, stopping))

    def _start(self, runnable: Runnable, stopping: asyncio.Event) -> asyncio.Task[None]:
        task = asyncio.create_task(runnable.start(stopping))
        task.add_done_callback(lambda _: self._ended.set())
        return task

    def add_healthz(self, name: str, check: Callable[[], Awaitable[None]]) -> None:
        """Add a liveness check to ``/healthz``; it raises when unhealthy."""
        self.health.add_healthz(name, check)

    def add_readyz(self, name: str, check: Callable[[], Awaitable[None]]) -> None:
        """Add a readiness check to ``/readyz``; it raises when not ready."""
        self.health.add_readyz(name, check)

    def new_rate_limiter(self) -> RateLimiter:
        """A controller's default retry limiter, from the manager's flags."""
        o = self.options
        return default_controller_rate_limiter(
            base_delay=o.rate_limiter_base_delay,
            max_delay=o.rate_limiter_max_delay,
            qps=o.rate_limiter_qps,
            burst=o.rate_limiter_bucket_size,
            clock=self.clock,
        )

    @property
    def is_leader(self) -> bool:
        """Whether this replica leads: it holds the Lease, or runs without leader election.

        False before ``run`` wins the election, and again once it returns.
        """
        return self.elected.is_set()

    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set (a graceful stop) or the Lease is lost (raises)."""
        servers: list[web.AppRunner] = []
        everywhere = asyncio.Event()
        leaders = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        leader_tasks: list[asyncio.Task[None]] = []
        renewing: asyncio.Task[None] | None = None
        self._ended.clear()
        try:
            servers = await self._start_servers()
            tasks = [self._start(r, everywhere) for r in self._runnables]
            self._running[False] = (everywhere, tasks)
            await self.cache.start()
            if not await self._wait_elected(stop):
                return
            log.info("starting leader-only runnables", count=len(self._leader_runnables))
            leader_tasks = [self._start(r, leaders) for r in self._leader_runnables]
            self._running[True] = (leaders, leader_tasks)
            if self._elector is not None:
                renewing = asyncio.create_task(self._elector.keep_renewing())
            await _first_of(stop, renewing, self._ended)
            if renewing is not None and renewing.done() and renewing.exception():
                # Another replica may already be leading: stop everything at once.
                self._running.pop(True, None)
                for task in leader_tasks:
                    task.cancel()
                await asyncio.gather(*leader_tasks, return_exceptions=True)
                leader_tasks = []
                raise LeadershipLost(str(renewing.exception()))
            _raise_failed(tasks + leader_tasks)
        finally:
            self._running.clear()  # nothing added from now on starts
            log.info("stopping", leader=self.is_leader)
            leaders.set()
            await _finish(leader_tasks, self.options.graceful_shutdown_timeout)
            if renewing is not None:
                renewing.cancel()
                await asyncio.gather(renewing, return_exceptions=True)
            if self._elector is not None:
                await self._elector.release()
            self.elected.clear()
            everywhere.set()
            await _finish(tasks, self.options.graceful_shutdown_timeout)
            await self.cache.stop()
            for runner in reversed(servers):
                await runner.cleanup()
            log.info("stopped")

    async def _wait_elected(self, stop: asyncio.Event) -> bool:
        if self._elector is None:
            self.elected.set()
            return True
        acquiring = asyncio.create_task(self._elector.acquire())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({acquiring, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not acquiring.done():
            acquiring.cancel()
            await asyncio.gather(acquiring, return_exceptions=True)
            return False
        acquiring.result()
        self.elected.set()
        return True

    async def _start_servers(self) -> list[web.AppRunner]:
        runners = []
        for name, address, app in (
            ("metrics", self.options.metrics_addr, metrics_app(self.registry)),
            ("health", self.options.health_probe_addr, self.health.app()),
        ):
            listen = parse_listen_address(address)
            if listen is None:
                continue
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, listen[0], listen[1])
            await site.start()
            bound = runner.addresses[0]
            self.addresses[name] = (str(bound[0]), int(bound[1]))
            log.info("serving", server=name, address=f"{bound[0]}:{bound[1]}")
            runners.append(runner)
        return runners

    async def _check_cache_synced(self) -> None:
        if not self.cache.started:
            raise RuntimeError("cache not started")
        for informer in self.cache.informers().values():
            if not informer.has_synced:
                raise RuntimeError(f"informer {informer.name} not synced")

    async def _check_election(self) -> None:
        # Healthy as leader or as standby (a standby keeps serving webhooks); unhealthy
        # only when we lead on a lease we have not renewed in time.
        if self._elector is not None:
            self._elector.check_renewal()


async def _always_ok() -> None:
    return None


async def _first_of(
    stop: asyncio.Event, renewing: asyncio.Task[None] | None, ended: asyncio.Event
) -> None:
    """Wait for a stop request, a lost Lease, or any runnable ending on its own."""
    stopping = asyncio.create_task(stop.wait())
    ending = asyncio.create_task(ended.wait())
    watched: set[asyncio.Future[Any]] = {stopping, ending}
    if renewing is not None:
        watched.add(renewing)
    try:
        await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        ending.cancel()


class RunnableFailed(RuntimeError):
    """A runnable raised; the manager stopped the others. The message names the error."""


def _raise_failed(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            error = task.exception()
            reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            raise RunnableFailed(f"a runnable failed: {reason}") from error


async def _finish(tasks: list[asyncio.Task[None]], grace: float) -> None:
    """Give runnables ``grace`` seconds to return after their stop event, then cancel."""
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=grace)
    if pending:
        log.warning("runnables did not stop in time; cancelling", count=len(pending))
        for task in pending:
            task.cancel()
    with contextlib.suppress(Exception):
        await asyncio.gather(*tasks, return_exceptions=True)
