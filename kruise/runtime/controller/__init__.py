"""Controllers: sources and handlers fill a work queue; workers call ``reconcile``.

Builder(manager).for_(CONFIGMAPS, GenerationChanged()).owns(PODS).complete(reconciler)
"""

from kruise.runtime.controller.builder import Builder
from kruise.runtime.controller.controller import (
    CacheSyncTimeout,
    Controller,
    is_panic,
    outcome_label,
)
from kruise.runtime.controller.handler import (
    EnqueueRequestForObject,
    EnqueueRequestForOwner,
    EnqueueRequestsFromMapFunc,
    EventHandler,
)
from kruise.runtime.controller.predicate import (
    AnnotationsChanged,
    Any_,
    Funcs,
    GenerationChanged,
    LabelsChanged,
    Predicate,
    ResourceVersionChanged,
)
from kruise.runtime.controller.source import Channel, Kind, Source

__all__ = [
    "AnnotationsChanged",
    "Any_",
    "Builder",
    "CacheSyncTimeout",
    "Channel",
    "Controller",
    "EnqueueRequestForObject",
    "EnqueueRequestForOwner",
    "EnqueueRequestsFromMapFunc",
    "EventHandler",
    "Funcs",
    "GenerationChanged",
    "Kind",
    "LabelsChanged",
    "Predicate",
    "ResourceVersionChanged",
    "Source",
    "is_panic",
    "outcome_label",
]
