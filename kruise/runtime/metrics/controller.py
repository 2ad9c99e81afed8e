"""controller_runtime_* series, with controller-runtime's names, labels and buckets."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from kruise.runtime.metrics.bound import Record, bound_inc, bound_observe

RESULTS = ("success", "error", "requeue", "requeue_after")


def _reconcile_time_buckets() -> tuple[float, ...]:
    fine = [0.005, 0.01, 0.025, 0.05]
    tenths = [round(0.1 + 0.05 * i, 2) for i in range(9)]  # 0.1 .. 0.5
    upper = [0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0]
    halves = [round(2.5 + 0.5 * i, 1) for i in range(6)]  # 2.5 .. 5
    coarse = [6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60]
    return tuple(float(b) for b in fine + tenths + upper + halves + coarse)


RECONCILE_TIME_BUCKETS = _reconcile_time_buckets()


class ControllerMetrics:
    """One set of series per registry, shared by every controller of a manager."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.reconcile_total = Counter(
            "controller_runtime_reconcile_total",
            "Total number of reconciliations per controller",
            ["controller", "result"],
            registry=registry,
        )
        self.reconcile_errors = Counter(
            "controller_runtime_reconcile_errors_total",
            "Total number of reconciliation errors per controller",
            ["controller"],
            registry=registry,
        )
        self.terminal_errors = Counter(
            "controller_runtime_terminal_reconcile_errors_total",
            "Total number of terminal reconciliation errors per controller",
            ["controller"],
            registry=registry,
        )
        self.panics = Counter(
            "controller_runtime_reconcile_panics_total",
            "Total number of reconciliation panics per controller",
            ["controller"],
            registry=registry,
        )
        self.reconcile_time = Histogram(
            "controller_runtime_reconcile_time_seconds",
            "Length of time per reconciliation per controller",
            ["controller"],
            buckets=RECONCILE_TIME_BUCKETS,
            registry=registry,
        )
        self.max_concurrent = Gauge(
            "controller_runtime_max_concurrent_reconciles",
            "Maximum number of concurrent reconciles per controller",
            ["controller"],
            registry=registry,
        )
        self.active_workers = Gauge(
            "controller_runtime_active_workers",
            "Number of currently used workers per controller",
            ["controller"],
            registry=registry,
        )

    def init_controller(self, controller: str, workers: int) -> None:
        """Create every label set at 0, so dashboards see a series before the first event."""
        for result in RESULTS:
            self.reconcile_total.labels(controller, result)
        self.reconcile_errors.labels(controller)
        self.terminal_errors.labels(controller)
        self.panics.labels(controller)
        self.reconcile_time.labels(controller)
        self.active_workers.labels(controller).set(0)
        self.max_concurrent.labels(controller).set(workers)

    def bind(self, controller: str, workers: int) -> ControllerSeries:
        """``init_controller``, then the controller's series resolved once for its workers."""
        self.init_controller(controller, workers)
        return ControllerSeries(self, controller)


class ControllerSeries:
    """One controller's series as plain callables: no label lookup per reconcile."""

    __slots__ = (
        "active_workers",
        "panics",
        "reconcile_errors",
        "reconcile_time",
        "reconcile_total",
        "terminal_errors",
    )

    def __init__(self, metrics: ControllerMetrics, controller: str) -> None:
        self.active_workers: Record = bound_inc(metrics.active_workers.labels(controller))
        self.reconcile_time: Record = bound_observe(metrics.reconcile_time.labels(controller))
        self.reconcile_total: dict[str, Record] = {
            result: bound_inc(metrics.reconcile_total.labels(controller, result))
            for result in RESULTS
        }
        self.reconcile_errors: Record = bound_inc(metrics.reconcile_errors.labels(controller))
        self.terminal_errors: Record = bound_inc(metrics.terminal_errors.labels(controller))
        self.panics: Record = bound_inc(metrics.panics.labels(controller))
