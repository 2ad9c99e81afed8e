"""In-place update of pods, shared by CloneSet and Advanced StatefulSet.

    spec = spec_from_revisions(old_revision, new_revision)   # or diff_templates(...)
    if spec is None:
        ...                                                  # recreate the pod instead
    updater = InPlaceUpdater(client, clock=clock)
    result = await updater.apply(pod, spec, grace_seconds=grace)
    ...                                                      # requeue after result.requeue_after
    refreshed = await updater.refresh(pod)                   # every reconcile, every pod

An update changes container images (by name) and pod labels and annotations, nothing
else. Pods with the ``InPlaceUpdateReady`` readiness gate (``inject_readiness_gate``)
are held not ready from the start of the update until ``check_completed`` reports it
done. The state and grace annotations are written under ``apps.kruise.io/`` and also
read under OpenKruise v0.7.0's bare names.
"""

from kruise.util.inplaceupdate.completion import Completion, check_completed
from kruise.util.inplaceupdate.condition import (
    conditions_with,
    get_condition,
    has_readiness_gate,
    inject_readiness_gate,
    is_in_place_update_ready,
    mark_created_ready,
    mark_not_ready,
    mark_ready,
)
from kruise.util.inplaceupdate.errors import InPlaceUpdateError, InvalidAnnotation
from kruise.util.inplaceupdate.image import normalize_image, same_image
from kruise.util.inplaceupdate.names import (
    CONDITION_TYPE,
    GRACE_ANNOTATION,
    LEGACY_GRACE_ANNOTATION,
    LEGACY_STATE_ANNOTATION,
    READINESS_GATES_NOT_READY,
    REVISION_LABEL,
    START_REASON,
    STATE_ANNOTATION,
)
from kruise.util.inplaceupdate.spec import (
    UpdateSpec,
    can_update_in_place,
    diff_templates,
    spec_from_revisions,
    template_of_revision,
)
from kruise.util.inplaceupdate.state import (
    ContainerRecord,
    InPlaceUpdateState,
    format_time,
    has_pending_grace,
    parse_time,
    read_grace,
    read_state,
)
from kruise.util.inplaceupdate.update import (
    InPlaceUpdater,
    Outcome,
    RefreshResult,
    UpdateResult,
    refresh_pending,
)

__all__ = [
    "CONDITION_TYPE",
    "GRACE_ANNOTATION",
    "LEGACY_GRACE_ANNOTATION",
    "LEGACY_STATE_ANNOTATION",
    "READINESS_GATES_NOT_READY",
    "REVISION_LABEL",
    "START_REASON",
    "STATE_ANNOTATION",
    "Completion",
    "ContainerRecord",
    "InPlaceUpdateError",
    "InPlaceUpdateState",
    "InPlaceUpdater",
    "InvalidAnnotation",
    "Outcome",
    "RefreshResult",
    "UpdateResult",
    "UpdateSpec",
    "can_update_in_place",
    "check_completed",
    "conditions_with",
    "diff_templates",
    "format_time",
    "get_condition",
    "has_pending_grace",
    "has_readiness_gate",
    "inject_readiness_gate",
    "is_in_place_update_ready",
    "mark_created_ready",
    "mark_not_ready",
    "mark_ready",
    "normalize_image",
    "parse_time",
    "read_grace",
    "read_state",
    "refresh_pending",
    "same_image",
    "spec_from_revisions",
    "template_of_revision",
]
