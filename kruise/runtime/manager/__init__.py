"""The manager: runnables, leader election, health probes and graceful shutdown."""

from kruise.runtime.manager.healthz import HealthChecks
from kruise.runtime.manager.leaderelection import (
    LeaderElectionConfig,
    LeaderElector,
    LeadershipLost,
)
from kruise.runtime.manager.manager import Manager, ManagerOptions, Runnable, RunnableFailed
from kruise.runtime.manager.served import WhenServed, setup_when_served

__all__ = [
    "HealthChecks",
    "LeaderElectionConfig",
    "LeaderElector",
    "LeadershipLost",
    "Manager",
    "ManagerOptions",
    "Runnable",
    "RunnableFailed",
    "WhenServed",
    "setup_when_served",
]
