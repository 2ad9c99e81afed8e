"""Prometheus metrics under controller-runtime's names, on a registry passed in.

``new_registry()`` gives a registry with the process and Python collectors;
``ControllerMetrics`` and ``LeaderElectionMetrics`` hold the controller-runtime series;
``serve_metrics`` exposes a registry on ``/metrics``.
"""

from kruise.runtime.metrics.controller import RECONCILE_TIME_BUCKETS, ControllerMetrics
from kruise.runtime.metrics.leaderelection import LeaderElectionMetrics
from kruise.runtime.metrics.registry import new_registry
from kruise.runtime.metrics.server import metrics_app

__all__ = [
    "RECONCILE_TIME_BUCKETS",
    "ControllerMetrics",
    "LeaderElectionMetrics",
    "metrics_app",
    "new_registry",
]
