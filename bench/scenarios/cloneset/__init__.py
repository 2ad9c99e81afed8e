"""The CloneSet benchmarks: ours and OpenKruise's Go manager, each on a local cluster.

Scenarios (bench/README.md says more):

- ``cloneset-scale-1000``: ``seconds_all_created`` and ``seconds_all_ready`` for scaling
  a CloneSet from 0 to 1000 pods on kwok nodes. Peers: ``openkruise-go`` (OpenKruise's
  manager v1.9.0, built by hack/build-openkruise.sh), ``kcm-replicaset`` (a Deployment of
  as many replicas, kube-controller-manager's ReplicaSet controller), ``raw-creator``
  (bench/go/rawcreator, a plain concurrent creator of the same pods: the API server's
  limit at that client QPS) and ``raw-creator-gated`` (the same with the
  ``InPlaceUpdateReady`` readiness gate on every pod, whose condition it sets True after
  each create: the floor of an in-place-capable controller).
- ``cloneset-inplace-500``: ``seconds_all_updated_ready``: a 500-pod CloneSet with
  ``updateStrategy: {type: InPlaceIfPossible, maxUnavailable: 50%}``, all Ready, gets a
  new image; the time until ``status.updatedReadyReplicas`` is 500 and every pod reports
  the new image in its container status and is Ready. Peer ``openkruise-go``.
- ``manager-resources``: ``peak_rss_mb`` (VmHWM) and ``cpu_seconds`` (utime + stime)
  of the manager process over the two scenarios above. Peer ``openkruise-go``.
- ``cloneset-scale-1000-qps2000``, ``cloneset-inplace-500-qps2000``,
  ``manager-resources-qps2000``: the same three with every contender at client QPS 2000,
  burst 4000, where the client's rate limit no longer hides the controller's own cost.

Every contender gets a fresh ``LocalCluster`` per run and client limit (their CRDs share
the group), the same client QPS and burst (kube-controller-manager through
``--kube-api-qps/burst``), and the same observer: a pod watch in this process that notes
when each pod first appears and when it is Ready. One run of one contender is one process::

    python bench/scenarios/cloneset run --contender kruise-py --phases scale,inplace

which prints one JSON line; ``bench/run.py`` drives the runs (``records``) and writes
the records.

The modules, in the order a run meets them: ``plan`` (names, sizes, which contender runs
which phase), ``driver`` (``records``: builds, child processes), ``child`` (one run),
``manifests``, ``phases`` (scale, in-place update), ``observer`` (trackers, /proc),
``outcomes`` (the records). The cluster, the manager under test, waiting and the child
processes are shared with the other benchmarks on a local cluster (``scenarios.common``).
"""

from __future__ import annotations

from .driver import records
from .plan import SCENARIOS, add_arguments

__all__ = ["SCENARIOS", "add_arguments", "records"]
