"""BroadcastJob validation.

OpenKruise v0.7.0's rules (name, completion policy, restart policy, reserved labels, the
pod template), plus: known completion and failure policy types, non-negative deadlines and
limits, and a parallelism that is a count or a percentage string from 0% to 100%.

On update the pod template is immutable (v0.7.0 let it change): the job's pods all run
the template the job was created with, as a batch/v1 Job's do, so a changed template would
only reach nodes that happen to join later. Parallelism, pausing and the completion and
failure policies may change; the controller itself sets ``paused`` for the Pause policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.validation import names
from kruise.apis.apps.validation._json import obj, semantic_equal
from kruise.apis.apps.validation.field import (
    ErrorList,
    Path,
    forbidden,
    invalid,
    not_supported,
    path,
    required,
)
from kruise.apis.apps.validation.intorpercent import validate_int_or_percent
from kruise.apis.apps.validation.meta import (
    introduced,
    validate_nonnegative,
    validate_object_meta,
    validate_object_meta_update,
)
from kruise.apis.apps.validation.podtemplate import validate_pod_template

COMPLETION_POLICY_TYPES = ("Always", "Never")
FAILURE_POLICY_TYPES = ("Continue", "FailFast", "Pause")
RESTART_POLICIES = ("OnFailure", "Never")
RESERVED_POD_LABELS = ("broadcastjob-name", "broadcastjob-controller-uid")
name_check = names.job_name("BroadcastJob")

SPEC = path("spec")


def validate_broadcastjob(
    job: Mapping[str, Any], old: Mapping[str, Any] | None = None
) -> ErrorList:
    """All errors of ``job``; ``old`` is the stored object on update."""
    errors = _object_errors(job)
    if old is None:
        return errors
    errors = introduced(errors, _object_errors(old))
    errors += validate_object_meta_update(
        job.get("metadata"), old.get("metadata"), path("metadata")
    )
    template = obj(job.get("spec")).get("template")
    if not semantic_equal(template, obj(old.get("spec")).get("template")):
        errors.append(
            forbidden(
                SPEC.child("template"),
                "field is immutable: every pod of a BroadcastJob runs the template it "
                "was created with",
            )
        )
    return errors


def _object_errors(job: Mapping[str, Any]) -> ErrorList:
    """What is wrong with the object itself, whatever the operation."""
    errors = validate_object_meta(job.get("metadata"), path("metadata"), name_check)
    spec = job.get("spec")
    if not isinstance(spec, Mapping):
        return [*errors, required(SPEC)]
    return errors + validate_broadcastjob_spec(spec, SPEC)


def validate_broadcastjob_spec(spec: Mapping[str, Any], at: Path) -> ErrorList:
    """A BroadcastJobSpec at ``at`` (also the spec of an AdvancedCronJob's template)."""
    errors: ErrorList = []
    completion = obj(spec.get("completionPolicy"))
    kind = completion.get("type")
    if kind not in (None, "", *COMPLETION_POLICY_TYPES):
        errors.append(
            not_supported(at.child("completionPolicy", "type"), kind, COMPLETION_POLICY_TYPES)
        )
    for field in ("ttlSecondsAfterFinished", "activeDeadlineSeconds"):
        value = completion.get(field)
        here = at.child("completionPolicy", field)
        if value is not None and kind == "Never":
            errors.append(invalid(here, value, "only allowed when completionPolicy.type is Always"))
        else:
            errors += validate_nonnegative(value, here)
    if spec.get("parallelism") is not None:
        errors += validate_int_or_percent(spec["parallelism"], at.child("parallelism"))[1]
    failure = obj(spec.get("failurePolicy"))
    if failure.get("type") not in (None, "", *FAILURE_POLICY_TYPES):
        errors.append(
            not_supported(
                at.child("failurePolicy", "type"), failure.get("type"), FAILURE_POLICY_TYPES
            )
        )
    errors += validate_nonnegative(
        failure.get("restartLimit"), at.child("failurePolicy", "restartLimit")
    )

    template = obj(spec.get("template"))
    restart = obj(template.get("spec")).get("restartPolicy")
    if restart not in RESTART_POLICIES:
        errors.append(
            not_supported(at.child("template", "spec", "restartPolicy"), restart, RESTART_POLICIES)
        )
    labels = obj(obj(template.get("metadata")).get("labels"))
    preset = [key for key in RESERVED_POD_LABELS if key in labels]
    if preset:
        errors.append(
            invalid(
                at.child("template", "metadata", "labels"),
                labels,
                f"must not set {' or '.join(preset)}: the BroadcastJob controller sets them",
            )
        )
    errors += validate_pod_template(spec.get("template"), at.child("template"))
    return errors
