"""The BroadcastJob and AdvancedCronJob benchmarks: ours, OpenKruise's Go manager and
kube-controller-manager's native counterparts, each on a local cluster.

Scenarios (bench/README.md says more):

- ``broadcastjob-300-nodes``: ``seconds_all_succeeded`` of one BroadcastJob over 300 kwok
  nodes. Peers: ``openkruise-go`` (OpenKruise's manager v1.9.0, built by
  hack/build-openkruise.sh) and ``kcm-daemonset`` (the time until a DaemonSet of the same
  pod is Ready on every node).
- ``advancedcronjob-100``: ``p99_seconds_late`` of the children of 100 AdvancedCronJobs
  with ``* * * * *`` and a Job template, over 3 scheduled minutes. Peers:
  ``openkruise-go`` and ``kcm-cronjob`` (100 native CronJobs).

Each scenario also has the manager's ``cpu_seconds`` and ``peak_rss_mb`` over its measured
window, against OpenKruise's. One run of one contender is one process with one local
cluster and one phase::

    python bench/scenarios/jobs run --contender kruise-py --phase broadcast --nodes 300

which prints one JSON line; ``bench/run.py`` drives the runs (``records``) and writes
the records.

The modules, in the order a run meets them: ``plan`` (names, sizes, which contender runs
which phase), ``driver`` (``records``: the build, child processes), ``child`` (one run),
``manifests``, ``phases`` (the broadcast and the cron phase), ``observer`` (succeeded
pods, late children), ``outcomes`` (the records). The cluster, the manager under test,
waiting and the child processes are shared with the other benchmarks on a local cluster
(``scenarios.common``).
"""

from __future__ import annotations

from .driver import records
from .plan import SCENARIOS, add_arguments

__all__ = ["SCENARIOS", "add_arguments", "records"]
