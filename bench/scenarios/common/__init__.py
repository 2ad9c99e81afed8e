"""What the benchmarks on a local cluster share (the CloneSet, Advanced StatefulSet and job
scenarios): the cluster and the manager under test (``cluster``), the driver's observer
(``observer``: trackers, /proc), waiting and progress lines (``waiting``), the child
processes of the driver (``processes``), the pod template (``manifests``), the driver's
record of each contender's runs (``outcomes``) and a child run's cluster and manager
(``child``).

Importing it puts the repository's test/ folder on the path, for ``support.managers``
(installing a manager, shared with the conformance runner), and bench/, for ``report``.
"""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2]
ROOT = BENCH.parent

for _folder in (str(BENCH), str(ROOT / "test")):
    if _folder not in sys.path:
        sys.path.insert(0, _folder)
