"""What every contender gets: a BroadcastJob for the managers or a DaemonSet for
kube-controller-manager over the same nodes, and AdvancedCronJobs or native CronJobs that
run the same Job every minute; all with the pod template of every benchmark
(``scenarios.common.manifests``)."""

from __future__ import annotations

from typing import Any

from ..common.manifests import pod_template

SCHEDULE = "* * * * *"
HISTORY = {"successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1}
"""Both kinds' defaults, spelled out so that every contender keeps the same children."""


def job_pod_template(app: str) -> dict[str, Any]:
    """The benchmark pod that runs to completion (kwok's stages make such pods of a Job
    or a BroadcastJob succeed a second or two after they start)."""
    template = pod_template(app, bench="jobs")
    template["spec"]["restartPolicy"] = "Never"
    return template


def broadcast_job(name: str, namespace: str, api: str) -> dict[str, Any]:
    """A BroadcastJob with one pod on every node, no parallelism limit, and
    ``completionPolicy: Always`` (the job is done once every pod has finished)."""
    return {
        "apiVersion": api,
        "kind": "BroadcastJob",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "template": job_pod_template(name),
            "completionPolicy": {"type": "Always"},
        },
    }


def daemonset(name: str, namespace: str) -> dict[str, Any]:
    """A native DaemonSet of the same pod, which stays Running."""
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": pod_template(name, bench="jobs"),
        },
    }


def job_template(app: str) -> dict[str, Any]:
    """The Job each run creates: one pod that succeeds, never retried."""
    return {
        "metadata": {"labels": {"app": app, "bench": "jobs"}},
        "spec": {"backoffLimit": 0, "template": job_pod_template(app)},
    }


def advanced_cron_job(name: str, namespace: str, api: str) -> dict[str, Any]:
    """An AdvancedCronJob that creates a Job every minute (``concurrencyPolicy: Allow``)."""
    return {
        "apiVersion": api,
        "kind": "AdvancedCronJob",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "schedule": SCHEDULE,
            "concurrencyPolicy": "Allow",
            **HISTORY,
            "template": {"jobTemplate": job_template(name)},
        },
    }


def cron_job(name: str, namespace: str) -> dict[str, Any]:
    """A native ``batch/v1`` CronJob with the same schedule, policy, limits and Job."""
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "schedule": SCHEDULE,
            "concurrencyPolicy": "Allow",
            **HISTORY,
            "jobTemplate": job_template(name),
        },
    }
