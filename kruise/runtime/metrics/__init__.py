"""Prometheus metrics under controller-runtime's names, on a registry passed in.

``new_registry()`` gives a registry with the process and Python collectors;
``ControllerMetrics`` and ``LeaderElectionMetrics`` hold the controller-runtime series;
``metrics_app`` exposes a registry on ``/metrics``; ``SecureMetricsServer`` serves it over
HTTPS to callers ``DelegatingAuth`` authenticates and authorizes through the API server.
"""

from kruise.runtime.metrics.auth import DelegatingAuth, UserInfo, auth_middleware
from kruise.runtime.metrics.controller import RECONCILE_TIME_BUCKETS, ControllerMetrics
from kruise.runtime.metrics.leaderelection import LeaderElectionMetrics
from kruise.runtime.metrics.registry import new_registry
from kruise.runtime.metrics.secure import SecureMetricsServer, TLSSource
from kruise.runtime.metrics.server import metrics_app

__all__ = [
    "RECONCILE_TIME_BUCKETS",
    "ControllerMetrics",
    "DelegatingAuth",
    "LeaderElectionMetrics",
    "SecureMetricsServer",
    "TLSSource",
    "UserInfo",
    "auth_middleware",
    "metrics_app",
    "new_registry",
]
