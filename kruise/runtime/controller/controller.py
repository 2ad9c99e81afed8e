"""A controller: sources fill a rate-limited queue, workers reconcile one request each.

Outcomes follow controller-runtime: an error (any exception) is retried with the rate
limiter's backoff; a ``TerminalError`` is counted and dropped; ``requeue_after`` looks
again after a delay; ``requeue`` retries with backoff; success forgets the backoff.

Errors are of two kinds. An expected one (see ``is_panic``: a ``ReconcileError``, a
``ClientError`` such as a 403 on create, a timeout or an I/O error) is counted in
``controller_runtime_reconcile_errors_total`` and logged in one line. Anything else is
taken for a bug: it is also counted in ``controller_runtime_reconcile_panics_total`` and
logged with its traceback. Nothing a reconciler raises kills a worker.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import structlog

from kruise.runtime.client import ClientError
from kruise.runtime.clock import Clock, RealClock
from kruise.runtime.controller.source import Source
from kruise.runtime.log import get_logger
from kruise.runtime.metrics import ControllerMetrics
from kruise.runtime.reconcile import ReconcileError, Reconciler, Request, Result, TerminalError
from kruise.runtime.workqueue import RateLimiter, RateLimitingQueue, ShutDown
from kruise.runtime.workqueue.metrics import WorkqueueMetricsProvider

log = get_logger("controller")
# Failures a reconciler reports or the outside world causes; anything else is a bug.
EXPECTED_ERRORS: tuple[type[Exception], ...] = (
    ReconcileError,
    ClientError,
    TimeoutError,
    OSError,
)


def is_panic(err: BaseException) -> bool:
    """Whether ``err``, raised by a reconciler, is a bug rather than an expected failure.

    Expected: a ``ReconcileError`` (``TerminalError`` included), a ``ClientError`` (the
    API server refused or could not be reached), ``TimeoutError`` and ``OSError``, and an
    exception group made only of those. Everything else is a panic.
    """
    if isinstance(err, BaseExceptionGroup):
        _, rest = err.split(EXPECTED_ERRORS)
        return rest is not None
    return not isinstance(err, EXPECTED_ERRORS)


class CacheSyncTimeout(Exception):
    """A controller's sources did not sync in time."""


class Controller:
    """Feeds requests from its sources through a rate-limited queue to a reconciler.

    ``workers`` reconcile at once, but never two on the same request: a request added while
    it is being reconciled waits until that reconcile ends. An exception retries the request
    with the rate limiter's backoff; ``TerminalError`` is counted and not retried; an
    exception ``is_panic`` calls a bug is also counted as a panic and logged with its
    traceback, any other error in one line. Nothing a reconciler raises stops a worker.
    """

    def __init__(
        self,
        name: str,
        reconciler: Reconciler,
        *,
        workers: int = 1,
        rate_limiter: RateLimiter | None = None,
        metrics: ControllerMetrics | None = None,
        queue_metrics: WorkqueueMetricsProvider | None = None,
        cache_sync_timeout: float = 120.0,
        clock: Clock | None = None,
    ) -> None:
        self.name = name
        self.reconciler = reconciler
        self.workers = workers
        self.metrics = metrics
        self.cache_sync_timeout = cache_sync_timeout
        self.clock = clock or RealClock()
        self.queue: RateLimitingQueue[Request] = RateLimitingQueue(
            name=name,
            rate_limiter=rate_limiter,
            clock=self.clock,
            metrics=queue_metrics,
        )
        self.sources: list[Source] = []
        self._stopping = False
        self._log = log.bind(controller=name)
        if metrics:
            metrics.init_controller(name, workers)

    def watch(self, source: Source) -> None:
        """Add an event source; sources start with the controller."""
        self.sources.append(source)

    async def start(self, stopping: asyncio.Event) -> None:
        """Run until ``stopping`` is set; in-flight reconciles finish, queued ones wait."""
        for source in self.sources:
            source.start(self.queue)
        if not await self._wait_for_sync(stopping):
            # Stopped before the caches filled (SIGTERM during a slow first LIST).
            for source in self.sources:
                await source.stop()
            return
        self._log.info("starting workers", workers=self.workers)
        tasks = [asyncio.create_task(self._worker()) for _ in range(self.workers)]
        try:
            await stopping.wait()
        finally:
            self._stopping = True
            self.queue.shut_down()
            await asyncio.gather(*tasks, return_exceptions=True)
            for source in self.sources:
                await source.stop()
            self._log.info("workers stopped")

    async def _wait_for_sync(self, stopping: asyncio.Event) -> bool:
        """True once every source has synced; False if ``stopping`` was set first."""
        syncing: asyncio.Future[Any] = asyncio.ensure_future(
            asyncio.gather(*(s.wait_for_sync() for s in self.sources))
        )
        halting: asyncio.Future[Any] = asyncio.ensure_future(stopping.wait())
        try:
            async with asyncio.timeout(self.cache_sync_timeout):
                await asyncio.wait({syncing, halting}, return_when=asyncio.FIRST_COMPLETED)
        except TimeoutError:
            raise CacheSyncTimeout(
                f"controller {self.name}: sources not synced in {self.cache_sync_timeout:.0f}s"
            ) from None
        finally:
            halting.cancel()
            if not syncing.done():
                syncing.cancel()
            await asyncio.gather(syncing, halting, return_exceptions=True)
        if syncing.cancelled():
            return False
        syncing.result()  # a source that failed to sync raises here, as before
        return True

    async def _worker(self) -> None:
        while True:
            try:
                request = await self.queue.get()
            except ShutDown:
                return
            try:
                if self._stopping:
                    return
                await self._process(request)
            finally:
                self.queue.done(request)

    async def _process(self, request: Request) -> None:
        metrics, name = self.metrics, self.name
        if metrics:
            metrics.active_workers.labels(name).inc()
        started = self.clock.now()
        bound = structlog.contextvars.bound_contextvars(
            controller=name,
            namespace=request.namespace,
            name=request.name,
            reconcile_id=str(uuid.uuid4()),
        )
        try:
            with bound:
                outcome = await self._reconcile_once(request)
        finally:
            if metrics:
                metrics.active_workers.labels(name).dec()
                metrics.reconcile_time.labels(name).observe(self.clock.now() - started)
                metrics.reconcile_total.labels(name, outcome_label(outcome)).inc()

    async def _reconcile_once(self, request: Request) -> Result | BaseException:
        try:
            result = await self.reconciler.reconcile(request)
        except TerminalError as err:
            self.queue.forget(request)
            self._count_error(terminal=True)
            self._log.error("terminal reconcile error", error=str(err), request=str(request))
            return err
        except Exception as err:
            self.queue.add_rate_limited(request)
            panic = is_panic(err)
            self._count_error(panic=panic)
            if panic:
                self._log.exception("reconciler raised unexpectedly", request=str(request))
            else:
                self._log.error("reconcile error", error=str(err), request=str(request))
            return err
        if result.requeue_after > 0:
            self.queue.forget(request)
            self.queue.add_after(request, result.requeue_after)
        elif result.requeue:
            self.queue.add_rate_limited(request)
        else:
            self.queue.forget(request)
        return result

    def _count_error(self, *, terminal: bool = False, panic: bool = False) -> None:
        if not self.metrics:
            return
        self.metrics.reconcile_errors.labels(self.name).inc()
        if terminal:
            self.metrics.terminal_errors.labels(self.name).inc()
        if panic:
            self.metrics.panics.labels(self.name).inc()


def outcome_label(outcome: Result | BaseException) -> str:
    """The ``result`` label of controller_runtime_reconcile_total."""
    if isinstance(outcome, BaseException):
        return "error"
    if outcome.requeue_after > 0:
        return "requeue_after"
    if outcome.requeue:
        return "requeue"
    return "success"
