"""Types and names shared by CloneSet and Advanced StatefulSet (OpenKruise's ``pub``)."""

from typing import Annotated, Final, Literal, Required, TypedDict

from kruise.apis.apps.schema import Doc, Int32
from kruise.apis.apps.v1alpha1.kube import LabelSelector

# How a pod moves to a new revision: always by re-creation, in place when only container
# images (and metadata) changed, or only in place.
PodUpdateStrategyType = Literal["ReCreate", "InPlaceIfPossible", "InPlaceOnly"]
RECREATE: Final = "ReCreate"
IN_PLACE_IF_POSSIBLE: Final = "InPlaceIfPossible"
IN_PLACE_ONLY: Final = "InPlaceOnly"

# The pod condition (and readiness gate) that is False while an in-place update runs,
# and the reason it carries then.
IN_PLACE_UPDATE_READY: Final = "InPlaceUpdateReady"
START_IN_PLACE_UPDATE_REASON: Final = "StartInPlaceUpdate"

# Values of the lifecycle.apps.kruise.io/state label.
LifecycleState = Literal[
    "PreparingNormal", "Normal", "PreparingUpdate", "Updating", "Updated", "PreparingDelete"
]
LIFECYCLE_PREPARING_NORMAL: Final = "PreparingNormal"
LIFECYCLE_NORMAL: Final = "Normal"
LIFECYCLE_PREPARING_UPDATE: Final = "PreparingUpdate"
LIFECYCLE_UPDATING: Final = "Updating"
LIFECYCLE_UPDATED: Final = "Updated"
LIFECYCLE_PREPARING_DELETE: Final = "PreparingDelete"


class UpdatePriorityWeightTerm(TypedDict, total=False):
    """Pods matching the selector gain the weight."""

    weight: Required[Annotated[Int32, Doc("From 0 to 100.")]]
    matchSelector: Required[LabelSelector]


class UpdatePriorityOrderTerm(TypedDict, total=False):
    """A label key whose value ends in a number that orders the update."""

    orderedKey: Required[str]


class UpdatePriorityStrategy(TypedDict, total=False):
    """The order in which pods update; set one of the two lists."""

    weightPriority: Annotated[
        list[UpdatePriorityWeightTerm],
        Doc("Heavier pods first; a pod weighs the sum of the terms it matches."),
    ]
    orderPriority: Annotated[
        list[UpdatePriorityOrderTerm],
        Doc(
            "Pods rank by the first listed key they carry, then by the number that ends "
            "that label's value, larger first."
        ),
    ]


class InPlaceUpdateStrategy(TypedDict, total=False):
    """How in-place updates proceed."""

    gracePeriodSeconds: Annotated[
        Int32,
        Doc("Seconds between marking a pod not ready and changing its images in place."),
    ]


class LifecycleHook(TypedDict, total=False):
    """A pod is held by the hook while it carries any of these labels or finalizers."""

    labelsHandler: dict[str, str]
    finalizersHandler: list[str]


class Lifecycle(TypedDict, total=False):
    """Hooks that hold a pod once created, before deletion and around in-place updates."""

    preDelete: LifecycleHook
    inPlaceUpdate: LifecycleHook
    preNormal: Annotated[
        LifecycleHook,
        Doc(
            "A new pod stays PreparingNormal (not available) until it carries every label "
            "and finalizer of this hook; without it, until it is scheduled."
        ),
    ]
