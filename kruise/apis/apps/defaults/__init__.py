"""Defaulting of apps.kruise.io objects: pure functions, one module per kind.

Each ``default_<kind>(obj)`` (``default_cloneset_v1beta1`` for a v1beta1 CloneSet; the
other kinds spell both versions alike) returns a defaulted deep copy and leaves its argument alone.
Defaulting is idempotent (defaulting a defaulted object changes nothing) and fills only
what is unset: a field holding a value of the wrong type is left for the API server's
schema validation to reject. ``pod`` holds the pod-spec and claim-template defaults every
kind shares.
"""

from kruise.apis.apps.defaults.advancedcronjob import default_advancedcronjob
from kruise.apis.apps.defaults.broadcastjob import default_broadcastjob
from kruise.apis.apps.defaults.cloneset import default_cloneset
from kruise.apis.apps.defaults.cloneset_v1beta1 import default_cloneset_v1beta1
from kruise.apis.apps.defaults.statefulset import default_statefulset

__all__ = [
    "default_advancedcronjob",
    "default_broadcastjob",
    "default_cloneset",
    "default_cloneset_v1beta1",
    "default_statefulset",
]
