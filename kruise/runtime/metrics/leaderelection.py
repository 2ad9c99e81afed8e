"""leader_election_* series, as client-go's adapter in controller-runtime names them."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class LeaderElectionMetrics:
    """``leader_election_master_status`` and ``leader_election_slowpath_total`` on one registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.master_status = Gauge(
            "leader_election_master_status",
            "Gauge of if the reporting system is master of the relevant lease, "
            "0 indicates backup, 1 indicates master. 'name' is the string used to "
            "identify the lease.",
            ["name"],
            registry=registry,
        )
        self.slowpath = Counter(
            "leader_election_slowpath_total",
            "Total number of slow path exercised in renewing leader leases. "
            "'name' is the string used to identify the lease.",
            ["name"],
            registry=registry,
        )

    def init_lease(self, name: str) -> None:
        """Export both series for the Lease ``name`` at zero, before the first election."""
        self.master_status.labels(name).set(0)
        self.slowpath.labels(name)
