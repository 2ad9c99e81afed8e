"""Validation of apps.kruise.io objects: pure functions returning Kubernetes field errors.

One module per kind (``cloneset``, ``statefulset``, ``broadcastjob``, ``advancedcronjob``),
each with a ``validate_<kind>(obj, old=None)`` that lists every problem as a
:class:`FieldError`; an empty list means the object is valid. ``old`` is the stored object
on update, which adds the update-only rules (immutable fields, the InPlaceOnly template
rule) and judges the update by what it changes: a problem the stored object already has
(say, a value OpenKruise v0.7.0 accepted and these rules refuse) does not block editing,
scaling or deleting it. Nothing here reads the API: the owners of the pods a CloneSet's
``podsToDelete`` names are looked up by the caller and passed in. ``field`` holds the error
type and its Kubernetes rendering.
"""

from kruise.apis.apps.validation.field import ErrorList, ErrorType, FieldError, Path

__all__ = ["ErrorList", "ErrorType", "FieldError", "Path"]
