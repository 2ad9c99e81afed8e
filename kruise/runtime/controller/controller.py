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
from typing import Any

from kruise.runtime.client import ClientError
from kruise.runtime.clock import Clock, RealClock
from kruise.runtime.controller.source import Source
from kruise.runtime.log import bind_controller, bind_reconcile, get_logger, unbind_reconcile
from kruise.runtime.metrics import ControllerMetrics
from kruise.runtime.metrics.controller import ControllerSeries
from kruise.runtime.reconcile import ReconcileError, Reconciler, Request, Result, TerminalError
from kruise.runtime.workqueue import RateLimiter, RateLimitingQueue, ShutDown
from kruise.runtime.workqueue.metrics import WorkqueueMetricsProvider, now_function

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
        self._now = now_function(self.clock)
        self.queue: RateLimitingQueue[Request] = RateLimitingQueue(
            name=name,
            rate_limiter=rate_limiter,
            clock=self.clock,
            metrics=queue_metrics,
        )
        self.sources: list[Source] = []
        self._stopping = False
        self._log = log.bind(controller=name)
        # Label children resolved once, not per reconcile.
        self._series: ControllerSeries | None = metrics.bind(name, workers) if metrics else None

    def watch(self, source: Source) -> None:
        """Add an event source; sources start with the controller."""
        self.sources.append(source)

    async def start(self, stopping: asyncio.Event) -> None:
        """Run until ``stopping`` is set; in-flight reconciles finish, queued ones wait.

        Cancelled instead (the manager lost the Lease), it cancels the in-flight
        reconciles too: another replica may be leading already, and a reconcile left to
        finish would go on writing, as controller-runtime's cancelled context forbids.
        """
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
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            raise
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
        # A worker task has its own log context: the controller's name stays bound in it.
        bind_controller(self.name)
        queue = self.queue
        while True:
            try:
                try:
                    request = queue.get_nowait()
                except asyncio.QueueEmpty:
                    request = await queue.get()
            except ShutDown:
                return
            try:
                if self._stopping:
                    return
                await self._process(request)
            finally:
                queue.done(request)

    async def _process(self, request: Request) -> None:
        # One coroutine per reconcile besides the reconciler's: the outcome handling is
        # plain calls.
        series = self._series
        started = 0.0
        if series is not None:
            series.active_workers(1)
            started = self._now()
        tokens = bind_reconcile(request.namespace, request.name)
        label: str | None = None
        try:
            try:
                result = await self.reconciler.reconcile(request)
            except Exception as err:
                label = "error"
                self._failed(request, err)  # still in the except: a traceback can be logged
            else:
                label = self._succeeded(request, result)
        finally:
            unbind_reconcile(tokens)
            if series is not None:
                series.active_workers(-1)
                series.reconcile_time(self._now() - started)
                if label is not None:  # None: the worker was cancelled mid-reconcile
                    series.reconcile_total[label](1)

    def _succeeded(self, request: Request, result: Result) -> str:
        """Queue what ``result`` asks for; the ``result`` label it counts under."""
        if result.requeue_after > 0:
            self.queue.forget(request)
            self.queue.add_after(request, result.requeue_after)
            return "requeue_after"
        if result.requeue:
            self.queue.add_rate_limited(request)
            return "requeue"
        self.queue.forget(request)
        return "success"

    def _failed(self, request: Request, err: Exception) -> None:
        if isinstance(err, TerminalError):
            self.queue.forget(request)
            self._count_error(terminal=True)
            self._log.error("terminal reconcile error", error=str(err), request=str(request))
            return
        self.queue.add_rate_limited(request)
        panic = is_panic(err)
        self._count_error(panic=panic)
        if panic:
            self._log.exception("reconciler raised unexpectedly", request=str(request))
        else:
            self._log.error("reconcile error", error=str(err), request=str(request))

    def _count_error(self, *, terminal: bool = False, panic: bool = False) -> None:
        series = self._series
        if series is None:
            return
        series.reconcile_errors(1)
        if terminal:
            series.terminal_errors(1)
        if panic:
            series.panics(1)


def outcome_label(outcome: Result | BaseException) -> str:
    """The ``result`` label of controller_runtime_reconcile_total."""
    if isinstance(outcome, BaseException):
        return "error"
    if outcome.requeue_after > 0:
        return "requeue_after"
    if outcome.requeue:
        return "requeue"
    return "success"
