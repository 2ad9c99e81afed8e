"""apps.kruise.io objects as a user writes them (plain dicts), and where they live.

Every builder makes pods labelled ``app: <name>`` (or ``labels``) with one container
``main``, selected by the same labels. Keyword arguments left over become ``spec``
fields, replacing the defaults of the same name. Namespace and uid are set only when
given: objects sent to an API server take the namespace from the URL.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from kruise.runtime.envtest.rest import RestError

Obj = dict[str, Any]
GROUP = "apps.kruise.io"
IMAGE = "nginx:1.25"
DEFAULT_LABELS = {"app": "demo"}
"""The pod labels of a builder's object left with its default name."""
PLURALS = {
    "CloneSet": "clonesets",
    "StatefulSet": "statefulsets",
    "BroadcastJob": "broadcastjobs",
    "AdvancedCronJob": "advancedcronjobs",
}


def pod_template(
    labels: Mapping[str, str], image: str = IMAGE, *, restart_policy: str | None = None
) -> Obj:
    spec: Obj = {"containers": [{"name": "main", "image": image}]}
    if restart_policy:
        spec["restartPolicy"] = restart_policy
    return {"metadata": {"labels": dict(labels)}, "spec": spec}


def _workload(
    kind: str, version: str, name: str, namespace: str | None, uid: str | None, spec: Obj
) -> Obj:
    metadata: Obj = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    if uid is not None:
        metadata["uid"] = uid
    return {"apiVersion": f"{GROUP}/{version}", "kind": kind, "metadata": metadata, "spec": spec}


def _replicas(replicas: int | None) -> Obj:
    return {} if replicas is None else {"replicas": replicas}


def cloneset(
    name: str = "demo",
    replicas: int | None = None,
    *,
    image: str = IMAGE,
    labels: Mapping[str, str] | None = None,
    namespace: str | None = None,
    uid: str | None = None,
    **spec: Any,
) -> Obj:
    labels = {"app": name} if labels is None else labels
    body: Obj = {
        **_replicas(replicas),
        "selector": {"matchLabels": dict(labels)},
        "template": pod_template(labels, image),
    }
    return _workload("CloneSet", "v1alpha1", name, namespace, uid, {**body, **spec})


def statefulset(
    name: str = "demo",
    replicas: int | None = None,
    *,
    version: str = "v1beta1",
    service_name: str | None = None,
    image: str = IMAGE,
    labels: Mapping[str, str] | None = None,
    namespace: str | None = None,
    uid: str | None = None,
    **spec: Any,
) -> Obj:
    """An Advanced StatefulSet (``version`` v1beta1 or v1alpha1); its Service is named
    after it unless ``service_name`` says otherwise."""
    labels = {"app": name} if labels is None else labels
    body: Obj = {
        **_replicas(replicas),
        "serviceName": service_name or name,
        "selector": {"matchLabels": dict(labels)},
        "template": pod_template(labels, image),
    }
    return _workload("StatefulSet", version, name, namespace, uid, {**body, **spec})


def broadcastjob(
    name: str = "demo",
    *,
    restart_policy: str = "Never",
    image: str = IMAGE,
    labels: Mapping[str, str] | None = None,
    namespace: str | None = None,
    uid: str | None = None,
    **spec: Any,
) -> Obj:
    labels = {"app": name} if labels is None else labels
    body: Obj = {"template": pod_template(labels, image, restart_policy=restart_policy)}
    return _workload("BroadcastJob", "v1alpha1", name, namespace, uid, {**body, **spec})


def advancedcronjob(
    name: str = "demo",
    *,
    schedule: str = "*/5 * * * *",
    template_kind: str = "jobTemplate",
    restart_policy: str = "Never",
    image: str = IMAGE,
    labels: Mapping[str, str] | None = None,
    namespace: str | None = None,
    uid: str | None = None,
    **spec: Any,
) -> Obj:
    """An AdvancedCronJob whose ``template_kind`` (``jobTemplate`` or
    ``broadcastJobTemplate``) holds the pod template."""
    labels = {"app": name} if labels is None else labels
    pod = pod_template(labels, image, restart_policy=restart_policy)
    body: Obj = {"schedule": schedule, "template": {template_kind: {"spec": {"template": pod}}}}
    return _workload("AdvancedCronJob", "v1alpha1", name, namespace, uid, {**body, **spec})


def collection(obj: Obj, namespace: str, version: str | None = None) -> str:
    """The REST path of ``obj``'s kind in ``namespace`` (in ``version``, else its own)."""
    version = version or obj["apiVersion"].split("/")[1]
    return f"/apis/{GROUP}/{version}/namespaces/{namespace}/{PLURALS[obj['kind']]}"


class Rest(Protocol):
    def request(self, method: str, path: str, body: Any = None) -> Any: ...


def create(rest: Rest, namespace: str, obj: Obj) -> Obj:
    """Create ``obj`` in ``namespace``; what the API server stored."""
    created: Obj = rest.request("POST", collection(obj, namespace), obj)
    return created


def read_modify_write(
    rest: Rest, path: str, change: Callable[[Obj], None], first: Obj | None = None
) -> Obj:
    """GET the object at ``path`` (or start from ``first``, already read), let ``change``
    edit it, PUT it back; what was stored. A 409 means a controller's status write got in
    between: read again and redo the change, as any client would."""
    current = first if first is not None else rest.request("GET", path)
    for attempt in range(20):
        sent = copy.deepcopy(current)
        change(sent)
        try:
            stored: Obj = rest.request("PUT", path, sent)
            return stored
        except RestError as err:
            if err.status != 409 or attempt == 19:
                raise
            current = rest.request("GET", path)
    raise AssertionError(f"{path}: 20 conflicts in a row")


def webhooks_called(rest: Rest, namespace: str = "default") -> bool:
    """True once the API server calls kruise's validating webhook: a CloneSet whose
    template misses its selector's labels, sent as a dry run, is refused by it."""
    bad = cloneset("probe", labels={"a": "b"})
    bad["spec"]["template"] = {"metadata": {}}
    try:
        rest.request("POST", f"{collection(bad, namespace)}?dryRun=All", bad)
    except RestError as err:
        return "admission webhook" in str(err)
    return False
