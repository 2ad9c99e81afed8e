"""The Advanced StatefulSet benchmarks: ours, OpenKruise's Go manager and
kube-controller-manager's native StatefulSet, each on a local cluster.

Scenarios (bench/README.md says more):

- ``asts-parallel-500``: ``seconds_all_ready`` for scaling a ``Parallel`` set from 0 to
  500 pods on kwok nodes. Peers: ``openkruise-go`` (OpenKruise's manager v1.9.0, built by
  hack/build-openkruise.sh) and ``kcm-statefulset`` (a native ``apps/v1`` StatefulSet,
  kube-controller-manager's controller).
- ``asts-ordered-50``: the same for an ``OrderedReady`` set of 50 pods: each pod waits for
  the one before it, so this measures reaction time rather than throughput.
- ``asts-inplace-500``: ``seconds_all_updated_ready`` for an in-place image update
  (``InPlaceIfPossible``, ``maxUnavailable: 50%``, Parallel) of a 500-pod set. Peer
  ``openkruise-go``.

Each scenario also has the manager's ``cpu_seconds`` and ``peak_rss_mb`` over its measured
window, against OpenKruise's. One run of one contender is one process with one local
cluster, doing the chosen scenarios one after the other::

    python bench/scenarios/statefulset run --contender kruise-py --phases ordered,parallel

which prints one JSON line; ``bench/run.py`` drives the runs (``records``) and writes
the records.

The modules, in the order a run meets them: ``plan`` (names, sizes, which contender runs
which phase), ``driver`` (``records``: the build, child processes), ``child`` (one run),
``manifests``, ``phases`` (scale-out, in-place update, clean-up), ``outcomes`` (the
records). The cluster, the manager under test, the observer, waiting and the child
processes are shared with the CloneSet benchmarks (``scenarios.common``).
"""

from __future__ import annotations

from .driver import records
from .plan import SCENARIOS, add_arguments

__all__ = ["SCENARIOS", "add_arguments", "records"]
