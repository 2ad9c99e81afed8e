"""AdvancedCronJob validation.

OpenKruise v0.7.0's rules (name, schedule, exactly one template, the template's pods, the
fields an update may change), plus: ``timeZone`` must name an IANA zone; concurrency
policy and the non-negative limits are checked; field paths point into the template that is
wrong (v0.7.0 reported ``spec.template.spec...`` for both kinds); a Job template's pods must
restart Never or OnFailure, as batch/v1 requires, so a bad template is refused now rather
than at every scheduled run; and a BroadcastJob template's spec passes the BroadcastJob rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.validation import names
from kruise.apis.apps.validation._json import obj
from kruise.apis.apps.validation.broadcastjob import validate_broadcastjob_spec
from kruise.apis.apps.validation.field import (
    ErrorList,
    Path,
    forbidden,
    invalid,
    not_supported,
    path,
    required,
)
from kruise.apis.apps.validation.meta import (
    introduced,
    validate_annotations,
    validate_labels,
    validate_nonnegative,
    validate_object_meta,
    validate_object_meta_update,
    validate_spec_update,
)
from kruise.apis.apps.validation.podtemplate import validate_pod_template
from kruise.apis.apps.validation.schedule import schedule_problem, time_zone_problem

CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")
JOB_RESTART_POLICIES = ("OnFailure", "Never")
MUTABLE_SPEC_FIELDS = (
    "schedule",
    "timeZone",
    "concurrencyPolicy",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
    "startingDeadlineSeconds",
    "paused",
)
name_check = names.job_name("AdvancedCronJob")

SPEC = path("spec")


def validate_advancedcronjob(
    acj: Mapping[str, Any], old: Mapping[str, Any] | None = None
) -> ErrorList:
    """All errors of ``acj``; ``old`` is the stored object on update."""
    errors = _object_errors(acj)
    if old is None:
        return errors
    errors = introduced(errors, _object_errors(old))
    spec, old_spec = obj(acj.get("spec")), obj(old.get("spec"))
    errors += validate_object_meta_update(
        acj.get("metadata"), old.get("metadata"), path("metadata")
    )
    errors += validate_spec_update(
        spec, old_spec, SPEC, kind="advancedcronjob", mutable=MUTABLE_SPEC_FIELDS
    )
    return errors


def _object_errors(acj: Mapping[str, Any]) -> ErrorList:
    """What is wrong with the object itself, whatever the operation."""
    errors = validate_object_meta(acj.get("metadata"), path("metadata"), name_check)
    spec = acj.get("spec")
    if not isinstance(spec, Mapping):
        return [*errors, required(SPEC)]
    errors += _validate_schedule(spec)
    for field in (
        "startingDeadlineSeconds",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
    ):
        errors += validate_nonnegative(spec.get(field), SPEC.child(field))
    policy = spec.get("concurrencyPolicy")
    if policy not in (None, "", *CONCURRENCY_POLICIES):
        errors.append(not_supported(SPEC.child("concurrencyPolicy"), policy, CONCURRENCY_POLICIES))
    return errors + _validate_template(obj(spec.get("template")), SPEC.child("template"))


def _validate_schedule(spec: Mapping[str, Any]) -> ErrorList:
    errors: ErrorList = []
    schedule = spec.get("schedule")
    if not schedule:
        errors.append(required(SPEC.child("schedule")))
    elif not isinstance(schedule, str):
        errors.append(invalid(SPEC.child("schedule"), schedule, "must be a string"))
    elif problem := schedule_problem(schedule):
        errors.append(invalid(SPEC.child("schedule"), schedule, problem))
    zone = spec.get("timeZone")
    if zone is not None:
        problem = time_zone_problem(zone) if isinstance(zone, str) else "must be a string"
        if problem:
            errors.append(invalid(SPEC.child("timeZone"), zone, problem))
    return errors


def _validate_template(template: Mapping[str, Any], at: Path) -> ErrorList:
    job, broadcast = template.get("jobTemplate"), template.get("broadcastJobTemplate")
    if job is None and broadcast is None:
        return [required(at, "one of jobTemplate and broadcastJobTemplate must be set")]
    if job is not None and broadcast is not None:
        return [forbidden(at, "only one of jobTemplate and broadcastJobTemplate may be set")]
    if job is not None:
        return _validate_job_template(obj(job), at.child("jobTemplate"))
    here = at.child("broadcastJobTemplate")
    errors = _validate_template_meta(obj(broadcast).get("metadata"), here.child("metadata"))
    job_spec = obj(broadcast).get("spec")
    if not isinstance(job_spec, Mapping):
        return [*errors, required(here.child("spec"))]
    return errors + validate_broadcastjob_spec(job_spec, here.child("spec"))


def _validate_job_template(job: Mapping[str, Any], at: Path) -> ErrorList:
    errors = _validate_template_meta(job.get("metadata"), at.child("metadata"))
    spec = job.get("spec")
    if not isinstance(spec, Mapping):
        return [*errors, required(at.child("spec"))]
    for field in (
        "parallelism",
        "completions",
        "backoffLimit",
        "activeDeadlineSeconds",
        "ttlSecondsAfterFinished",
    ):
        errors += validate_nonnegative(spec.get(field), at.child("spec", field))
    pod_template = spec.get("template")
    restart = obj(obj(pod_template).get("spec")).get("restartPolicy")
    if restart not in JOB_RESTART_POLICIES:
        errors.append(
            not_supported(
                at.child("spec", "template", "spec", "restartPolicy"), restart, JOB_RESTART_POLICIES
            )
        )
    return errors + validate_pod_template(pod_template, at.child("spec", "template"))


def _validate_template_meta(metadata: object, at: Path) -> ErrorList:
    meta = obj(metadata)
    return validate_labels(meta.get("labels"), at.child("labels")) + validate_annotations(
        meta.get("annotations"), at.child("annotations")
    )
