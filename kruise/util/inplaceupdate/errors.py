"""Errors of the in-place update utility.

Conflicts are not among them: a write computed from a stale pod raises the client's
``Conflict``, which a controller retries once its cache has caught up.
"""


class InPlaceUpdateError(Exception):
    """A pod's in-place update bookkeeping cannot be followed as it stands."""


class InvalidAnnotation(InPlaceUpdateError, ValueError):
    """An in-place update annotation on a pod is not the JSON it should be."""
