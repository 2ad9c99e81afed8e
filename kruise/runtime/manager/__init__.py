"""The manager: runnables, leader election, health probes and graceful shutdown."""

from kruise.runtime.manager.healthz import HealthChecks
from kruise.runtime.manager.leaderelection import (
    LeaderElectionConfig,
    LeaderElector,
    LeadershipLost,
)
from kruise.runtime.manager.manager import Manager, ManagerOptions, Runnable

__all__ = [
    "HealthChecks",
    "LeaderElectionConfig",
    "LeaderElector",
    "LeadershipLost",
    "Manager",
    "ManagerOptions",
    "Runnable",
]
