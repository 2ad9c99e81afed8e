"""How late AdvancedCronJob runs start, on the manager's registry.

``kruise_advancedcronjob_job_creation_skew_duration_seconds{kind}``: seconds from a run's
scheduled time to the moment its child (``kind`` Job or BroadcastJob) was created, by the
controller's clock; the counterpart of kube-controller-manager's
``cronjob_controller_job_creation_skew_duration_seconds``.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from prometheus_client import CollectorRegistry, Histogram

CREATION_SKEW = "kruise_advancedcronjob_job_creation_skew_duration_seconds"
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0)

# One histogram per registry, however many controllers are set up on it.
_histograms: WeakKeyDictionary[CollectorRegistry, Histogram] = WeakKeyDictionary()


def creation_skew(registry: CollectorRegistry) -> Histogram:
    """The creation-skew histogram registered in ``registry``."""
    histogram = _histograms.get(registry)
    if histogram is None:
        histogram = Histogram(
            CREATION_SKEW,
            "Seconds between when an AdvancedCronJob run was scheduled and when its child "
            "was created.",
            ["kind"],
            buckets=BUCKETS,
            registry=registry,
        )
        _histograms[registry] = histogram
    return histogram
