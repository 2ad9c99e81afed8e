"""The CloneSet controller's cost as the cluster grows: ``cloneset-scale-curve``.

One CloneSet is scaled 0 -> 300 -> 1,000 -> 3,000 pods on a local cluster that already
holds 10,000 pods the controller does not own (plain pods in other namespaces, which every
manager's pod informer caches). At each size the manager's CPU (utime + stime) and
resident memory (VmRSS) are read from /proc, and the records give, ours against
``openkruise-go`` (OpenKruise's manager v1.9.0) at each size:

- ``cpu_seconds_per_pod@<size>``: the CPU the manager spent in that step (from the end of
  the step before, or from just before the first scale request, until the step's pods are
  all Ready and the CloneSet's status says so) divided by the pods the step added;
- ``rss_mb_per_1000_pods@<size>``: VmRSS at the end of the step minus VmRSS once the
  manager had synced its caches with the foreign pods (and reconciled the CloneSet at 0),
  per 1,000 of the CloneSet's pods;

and ours at the last size against ours at the first (``kruise-py@<first>``): how flat
our per-pod CPU stays. One run of one contender is one process::

    python bench/scenarios/curve run --contender kruise-py --sizes 300,1000,3000

The modules: ``plan`` (names, sizes, knobs), ``driver`` (``records``: child runs),
``child`` (one run), ``steps`` (the foreign pods, the scale steps), ``outcomes`` (the
records, pure). The cluster, the manager under test, waiting and the child processes are
shared with the other benchmarks on a local cluster (``scenarios.common``).
"""

from __future__ import annotations

from .driver import records
from .plan import SCENARIOS, add_arguments

__all__ = ["SCENARIOS", "add_arguments", "records"]
