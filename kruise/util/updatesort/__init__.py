"""The order in which CloneSet and Advanced StatefulSet update their pods.

OpenKruise v0.7.0's ``pkg/util/updatesort``. Both sorters take the pods of a workload and
the indexes (into those pods) of the update candidates, and return the candidates' indexes
in a new order, first to update first::

    order = sort_by_priority(pods, order, strategy["priorityStrategy"])
    order = sort_by_scatter(pods, order, strategy["scatterStrategy"])

Neither changes its arguments. Go's quirks are kept on purpose, since users of OpenKruise
depend on the order it updates in: weight and order ties go to the higher index first, and
pods with none of the ``orderPriority`` keys go before those that have one
(``test/unit/util/test_updatesort.py`` pins both against v0.7.0's expectations).
"""

from kruise.util.updatesort.priority import sort_by_priority
from kruise.util.updatesort.scatter import sort_by_scatter

__all__ = ["sort_by_priority", "sort_by_scatter"]
