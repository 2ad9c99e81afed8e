"""BroadcastJobs and AdvancedCronJobs on a real cluster: kwok nodes made for one test,
children of an AdvancedCronJob read from the cluster and from the Events kruise-manager
wrote, and waiting for whole minutes of the wall clock."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from kruise.apis.apps.v1alpha1 import BROADCASTJOBS, SCHEDULED_AT_ANNOTATION
from kruise.runtime.client import EVENTS, Client, Resource
from kruise.runtime.envtest import NodeSpec
from kruise.runtime.envtest.rest import RestError
from kruise.util.pods import parse_time
from support.kruise_env import KruiseEnv
from support.polling import eventually_blocking

Obj = dict[str, Any]
NODE_LABEL = "kruise-py.test/e2e-jobs"
CRON_IMAGE = "busybox:1.36"


# ---- kwok nodes for one test ------------------------------------------------------------


class JobNodes:
    """kwok nodes named ``<namespace>-<short>``, each labelled ``NODE_LABEL=<namespace>``
    so that only the test's own jobs select them; ``delete`` removes the namespace's pods
    from them first (kwok deletes a terminating pod only on a node it still manages)."""

    def __init__(self, env: KruiseEnv, namespace: str) -> None:
        assert env.local is not None, "kwok nodes need the local cluster"
        self.env, self.namespace = env, namespace
        self.names: list[str] = []

    def name(self, short: str) -> str:
        return f"{self.namespace}-{short}"

    def add(
        self,
        short: str,
        labels: Mapping[str, str] | None = None,
        taints: list[dict[str, str]] | None = None,
    ) -> str:
        """A Ready kwok node (its pods run, and those of jobs complete)."""
        assert self.env.local is not None
        name = self.name(short)
        spec = NodeSpec(name, labels={NODE_LABEL: self.namespace, **(labels or {})})
        spec.taints = list(taints or [])
        self.names.append(name)
        self.env.local.add_nodes([spec])
        return name

    def patch(self, short: str, body: Obj) -> None:
        self.env.rest.request(
            "PATCH",
            f"/api/v1/nodes/{self.name(short)}",
            body,
            content_type="application/merge-patch+json",
        )

    def delete(self) -> None:
        """The namespace's BroadcastJobs (else they would put their pods back), their
        pods, then the nodes."""
        rest = self.env.rest
        jobs = BROADCASTJOBS.path(self.namespace)
        pods = f"/api/v1/namespaces/{self.namespace}/pods"
        for job in rest.get(jobs).get("items", []):
            _delete_quietly(self.env, f"{jobs}/{job['metadata']['name']}")
        eventually_blocking(
            lambda: not rest.get(jobs).get("items"),
            timeout=60,
            interval=0.3,
            what="the test's BroadcastJobs gone",
        )
        for pod in rest.get(pods).get("items", []):
            _delete_quietly(self.env, f"{pods}/{pod['metadata']['name']}")
        eventually_blocking(
            lambda: not rest.get(pods).get("items"),
            timeout=60,
            interval=0.3,
            what="the test's pods gone before its nodes",
        )
        for name in self.names:
            _delete_quietly(self.env, f"/api/v1/nodes/{name}")


def _delete_quietly(env: KruiseEnv, path: str) -> None:
    try:
        env.rest.request("DELETE", path)
    except RestError as err:
        if err.status != 404:
            raise


def node_of(pod: Obj) -> str:
    """The node named in a BroadcastJob pod's required node affinity (the scheduler's
    route), or its ``spec.nodeName`` when it was bound directly."""
    affinity = (pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if not required:
        return str(pod["spec"].get("nodeName") or "")
    [term] = required["nodeSelectorTerms"]
    [field] = term["matchFields"]
    assert (field["key"], field["operator"]) == ("metadata.name", "In"), field
    [node] = field["values"]
    return str(node)


# ---- a namespace that lives as long as a test module ------------------------------------


def module_namespace(env: KruiseEnv) -> Iterator[str]:
    """A fresh namespace whose default ServiceAccount exists; deleted afterwards."""
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    env.rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": name}})

    def has_account() -> bool:
        try:
            env.rest.get(f"/api/v1/namespaces/{name}/serviceaccounts/default")
        except RestError:
            return False
        return True

    eventually_blocking(has_account, timeout=60, interval=0.2, what="the default ServiceAccount")
    yield name
    env.rest.request("DELETE", f"/api/v1/namespaces/{name}")


# ---- AdvancedCronJobs -------------------------------------------------------------------


def cron_job(
    name: str, *, broadcast: bool = False, schedule: str = "* * * * *", **spec: Any
) -> Obj:
    """An AdvancedCronJob (v1alpha1) whose children run one short pod, a Job's or on every
    node a BroadcastJob's; ``spec`` sets other top-level spec fields."""
    pod = {
        "metadata": {"labels": {"cron": name}},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "main", "image": CRON_IMAGE, "command": ["true"]}],
        },
    }
    child_spec: Obj = {"template": pod}
    if broadcast:
        template: Obj = {"broadcastJobTemplate": {"spec": child_spec}}
    else:
        template = {"jobTemplate": {"spec": {**child_spec, "backoffLimit": 0}}}
    for child in template.values():
        child["metadata"] = {"labels": {"cron": name}}
    return {
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "AdvancedCronJob",
        "metadata": {"name": name},
        "spec": {"schedule": schedule, "template": template, **spec},
    }


def scheduled_at(child: Mapping[str, Any]) -> float:
    """The run a child was created for, from its annotation."""
    text = (child["metadata"].get("annotations") or {}).get(SCHEDULED_AT_ANNOTATION)
    when = parse_time(text)
    assert when is not None, f"{child['metadata']['name']} has no {SCHEDULED_AT_ANNOTATION}"
    return when


async def children(client: Client, resource: Resource, namespace: str, acj: Obj) -> list[Obj]:
    """The children ``acj`` controls now, oldest run first."""
    uid = acj["metadata"]["uid"]
    listed = await client.list(resource, namespace)
    owned = [
        c
        for c in listed.items
        if any(
            r.get("uid") == uid and r.get("controller")
            for r in c["metadata"].get("ownerReferences") or ()
        )
    ]
    return sorted(owned, key=scheduled_at)


async def created_children(client: Client, namespace: str, acj_name: str) -> dict[str, int]:
    """Child name -> how many times kruise-manager reported creating it (its
    ``SuccessfulCreate`` Events on the AdvancedCronJob, repeats counted)."""
    listed = await client.list(EVENTS, namespace)
    created: dict[str, int] = {}
    prefix = "Created job "
    for event in listed.items:
        involved = event.get("involvedObject") or {}
        if involved.get("kind") != "AdvancedCronJob" or involved.get("name") != acj_name:
            continue
        if event.get("reason") == "SuccessfulCreate" and event["message"].startswith(prefix):
            child = event["message"][len(prefix) :]
            created[child] = created.get(child, 0) + int(event.get("count") or 1)
    return created


def child_name(acj_name: str, scheduled: float) -> str:
    return f"{acj_name}-{int(scheduled)}"


# ---- the wall clock's minutes -----------------------------------------------------------


def minute_of(t: float) -> float:
    """The whole minute ``t`` falls in."""
    return math.floor(t / 60) * 60.0


def seconds_into_minute() -> float:
    return time.time() % 60
