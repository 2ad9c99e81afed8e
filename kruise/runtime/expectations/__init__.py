"""Expectations: writes a controller made that its informer cache has not shown it yet.

A controller reads from a cache that lags behind its own writes. It records an expectation
*before* each create, delete or update request, its event handlers observe expectations as
the cache catches up (or at once when the request failed), and a reconcile that finds its
key unsatisfied requeues instead of acting on stale data.

Contract:

- Keys are strings (``namespace/name`` of the controller's object; UIDs for
  resourceVersions); objects are plain JSON dicts. Nothing here knows a Kruise kind.
- Nothing blocks forever: an expectation pending for ``timeout`` seconds (default 300,
  ``--expectation-timeout``) is dropped as satisfied by the next check, which logs one
  warning naming the key and what was pending and adds the number dropped to
  ``kruise_expectations_expired_total{kind="scale"|"resource_version"|"update"}`` on the
  registry passed in (no registry, no metric).
- State is in memory only: after a restart the cache is fresh, so nothing is owed.
- Not thread-safe: use each instance from one asyncio event loop.
"""

from kruise.runtime.expectations._base import DEFAULT_TIMEOUT, Object
from kruise.runtime.expectations.resource_version import ResourceVersionExpectations
from kruise.runtime.expectations.scale import ScaleAction, ScaleExpectations, ScalePending
from kruise.runtime.expectations.update import (
    REVISION_LABEL,
    UpdateExpectations,
    revision_label,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "REVISION_LABEL",
    "Object",
    "ResourceVersionExpectations",
    "ScaleAction",
    "ScaleExpectations",
    "ScalePending",
    "UpdateExpectations",
    "revision_label",
]
