"""Every rule of the apps.kruise.io validating webhooks, through the real API server.

One case per rule of ``kruise.apis.apps.validation`` (create and update rules of CloneSet,
Advanced StatefulSet in both versions, BroadcastJob and AdvancedCronJob): a bad object is
refused with the exact field path, error type and value, and where the rule has an edge
the edge value is accepted. Bad values the CRD schema (enums, minimums, types, required
fields) or the API server's own metadata checks already refuse never reach the webhook;
their case ids end in "(API server)" and they assert the API server's message names the
field, without an "admission webhook" prefix.

Changes of ``metadata.name``, ``namespace`` or ``uid`` are refused by the API server before
admission (400 or 409, no field path); ``test_identity_change_never_reaches_the_webhook``
shows it. A v1alpha1 StatefulSet whose carrier annotation cannot convert is refused by the
mutating webhook, which converts first. Rules no request through the API server can reach
are left out: a missing or invalid ``metadata.namespace`` (taken from the URL), ``spec``,
a pod template or its ``spec`` missing and the StatefulSet's required strategy fields (the
mutating webhooks fill them before validation), and a pod read that fails for
``podsToDelete``.
"""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from support.fields import DELETE, with_field, with_fields
from support.workloads import (
    DEFAULT_LABELS,
    advancedcronjob,
    broadcastjob,
    cloneset,
    collection,
    create,
    pod_template,
    statefulset,
)

from kruise.runtime.envtest import ControlPlane
from kruise.runtime.envtest.rest import RestError

Obj = dict[str, Any]
SERVER = "(API server)"

POD = "spec.template.spec"
C0 = f"{POD}.containers[0]"
US = "spec.updateStrategy"
RU = f"{US}.rollingUpdate"
JOB = "spec.template.jobTemplate"
JOB_POD = f"{JOB}.spec.template.spec"
BJT = "spec.template.broadcastJobTemplate"
BAD_KEY = "bad key!"
NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.'"
NEGATIVE = "must be greater than or equal to 0"
ANNOTATION_LIMIT = 256 * 1024
CS_IMMUTABLE = (
    "Forbidden: updates to cloneset spec for fields other than 'replicas', 'template', "
    "'lifecycle', 'scaleStrategy', 'updateStrategy', 'minReadySeconds', "
    "'progressDeadlineSeconds', 'volumeClaimTemplates' and 'revisionHistoryLimit' are forbidden"
)
STS_IMMUTABLE = (
    "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
    "'template', 'reserveOrdinals', 'lifecycle', 'revisionHistoryLimit', "
    "'persistentVolumeClaimRetentionPolicy', 'volumeClaimTemplates', 'scaleStrategy' and "
    "'updateStrategy' are forbidden"
)
ACJ_IMMUTABLE = (
    "Forbidden: updates to advancedcronjob spec for fields other than 'schedule', "
    "'timeZone', 'concurrencyPolicy', 'successfulJobsHistoryLimit', "
    "'failedJobsHistoryLimit', 'startingDeadlineSeconds' and 'paused' are forbidden"
)
WEBHOOKS = {
    "CloneSet": "vcloneset.kb.io",
    "StatefulSet": "vstatefulset.kb.io",
    "BroadcastJob": "vbroadcastjob.kb.io",
    "AdvancedCronJob": "vadvancedcronjob.kb.io",
}


# -- building objects ---------------------------------------------------------------------


def sts(version: str = "v1beta1", **spec: Any) -> Obj:
    return statefulset(version=version, **spec)


def parallel_sts(version: str = "v1beta1", **rolling: Any) -> Obj:
    return sts(
        version,
        podManagementPolicy="Parallel",
        updateStrategy={"type": "RollingUpdate", "rollingUpdate": rolling},
    )


def rolling(version: str = "v1beta1", **fields: Any) -> Obj:
    return sts(version, updateStrategy={"type": "RollingUpdate", "rollingUpdate": fields})


def in_place_sts(version: str = "v1beta1", policy: str = "InPlaceOnly") -> Obj:
    obj = rolling(version, podUpdatePolicy=policy)
    return with_field(obj, f"{POD}.readinessGates", [{"conditionType": "InPlaceUpdateReady"}])


def acj_job(**job_spec: Any) -> Obj:
    obj = advancedcronjob()
    for key, value in job_spec.items():
        obj = with_field(obj, f"{JOB}.spec.{key}", value)
    return obj


def acj_broadcast(**job_spec: Any) -> Obj:
    return advancedcronjob(
        template={
            "broadcastJobTemplate": {
                "spec": {
                    "template": pod_template(DEFAULT_LABELS, restart_policy="Never"),
                    **job_spec,
                }
            }
        }
    )


def weights(*terms: Any) -> dict[str, Any]:
    return {"priorityStrategy": {"weightPriority": list(terms)}}


def weight(value: Any, selector: Any = None) -> dict[str, Any]:
    return {
        "weight": value,
        "matchSelector": {"matchLabels": DEFAULT_LABELS} if selector is None else selector,
    }


def expression(operator: str, values: list[str] | None = None, key: str = "app") -> Obj:
    out: Obj = {"key": key, "operator": operator}
    if values is not None:
        out["values"] = values
    return out


def container(name: str = "main", **fields: Any) -> Obj:
    return {"name": name, "image": "nginx:1.25", **fields}


def claim(name: str | None = "data") -> Obj:
    meta = {"name": name} if name else {}
    return {
        "metadata": meta,
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }


def pod(name: str, owner_uid: str | None = None, finalizer: bool = False) -> Obj:
    metadata: Obj = {"name": name, "labels": dict(DEFAULT_LABELS)}
    if owner_uid:
        metadata["ownerReferences"] = [
            {
                "apiVersion": "apps.kruise.io/v1alpha1",
                "kind": "CloneSet",
                "name": "owner",
                "uid": owner_uid,
                "controller": True,
            }
        ]
    if finalizer:
        metadata["finalizers"] = ["kruise.io/test-hold"]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {"containers": [container()]},
    }


# -- talking to the API server -------------------------------------------------------------

_contexts: dict[int, ssl.SSLContext] = {}


def send(plane: ControlPlane, method: str, path: str, body: Any = None) -> tuple[int, Obj]:
    """One request; the status code and the whole answer (the Status on failure), which
    ``SyncRest`` would cut to 300 characters."""
    config = plane.rest.config
    context = _contexts.get(id(plane))
    if context is None:
        context = ssl.create_default_context(cafile=str(config.ca_file))
        context.load_cert_chain(str(config.cert_file), str(config.key_file))
        _contexts[id(plane)] = context
    conn = http.client.HTTPSConnection(config.host, config.port, context=context, timeout=30)
    try:
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        answer: Obj = json.loads(response.read() or b"{}")
    finally:
        conn.close()
    return response.status, answer


def put_rebased(plane: ControlPlane, path: str, obj: Obj) -> tuple[int, Obj]:
    """PUT ``obj``; the status code and the whole answer. When a controller's status
    write got in between (409, the object has been modified), send it again on the newer
    resourceVersion: the controllers write nothing but status, which a PUT ignores."""
    for _ in range(20):
        status, answer = send(plane, "PUT", path, obj)
        if status != 409 or "has been modified" not in str(answer.get("message")):
            return status, answer
        newer = plane.rest.get(path)["metadata"]["resourceVersion"]
        obj = {**obj, "metadata": {**obj["metadata"], "resourceVersion": newer}}
    raise AssertionError(f"{path}: 20 conflicts in a row")


def item_path(obj: Obj, namespace: str) -> str:
    return f"{collection(obj, namespace)}/{obj['metadata']['name']}"


def assert_refused(status: int, answer: Obj, obj: Obj, expected: str, server: bool) -> None:
    """Refused with 422, ``expected`` in the message, a cause naming the field, and said
    by the webhook (or, for ``server``, by the API server itself)."""
    message = str(answer.get("message", answer))
    assert status == 422, f"HTTP {status}: {message}"
    assert expected in message, message
    if server:
        assert "admission webhook" not in message, message
        assert f"{obj['kind']}.apps.kruise.io" in message, message
    else:
        prefix = f'admission webhook "{WEBHOOKS[obj["kind"]]}" denied the request: '
        assert message.startswith(prefix), message
    field = expected.split(": ", 1)[0]
    fields = [c.get("field") for c in (answer.get("details") or {}).get("causes", [])]
    assert field in fields, (field, fields)


@dataclass(frozen=True)
class Bad:
    case: str
    obj: Obj
    expected: str
    server: bool = False
    bug: str = ""

    def param(self) -> Any:
        marks = [pytest.mark.xfail(strict=True, reason=self.bug)] if self.bug else []
        kind = self.obj["kind"].lower()
        if self.obj["kind"] == "StatefulSet":
            kind += "-" + self.obj["apiVersion"].split("/")[1]
        suffix = f" {SERVER}" if self.server else ""
        return pytest.param(self, id=f"{kind}: {self.case}{suffix}", marks=marks)


@dataclass(frozen=True)
class Good:
    case: str
    obj: Obj

    def param(self) -> Any:
        kind = self.obj["kind"].lower()
        if self.obj["kind"] == "StatefulSet":
            kind += "-" + self.obj["apiVersion"].split("/")[1]
        return pytest.param(self, id=f"{kind}: {self.case}")


def both(case: str, build: Callable[[str], Obj], expected: str, server: bool = False) -> list[Bad]:
    """A StatefulSet case through v1alpha1 and through v1beta1."""
    return [Bad(case, build(v), expected, server) for v in ("v1alpha1", "v1beta1")]


def both_good(case: str, build: Callable[[str], Obj]) -> list[Good]:
    return [Good(case, build(v)) for v in ("v1alpha1", "v1beta1")]


# -- metadata, shared by every kind --------------------------------------------------------

_LONG_NAME = "a" * 64
_JOB_NAME_RULE = "name must consist of alphanumeric characters or '-'"

META_BAD = [
    Bad(
        "name not a DNS subdomain",
        with_field(cloneset(), "metadata.name", "Bad_Name"),
        'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
        server=True,
    ),
    Bad(
        "name not a DNS subdomain",
        with_field(sts(), "metadata.name", "Bad_Name"),
        'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
        server=True,
    ),
    Bad(
        "generateName not a DNS subdomain",
        with_field(
            with_field(cloneset(), "metadata.name", DELETE), "metadata.generateName", "Bad_"
        ),
        'metadata.generateName: Invalid value: "Bad_"',
        server=True,
    ),
    Bad(
        "neither name nor generateName",
        with_field(cloneset(), "metadata.name", DELETE),
        "metadata.name: Required value: name or generateName is required",
        server=True,
    ),
    Bad(
        "label key invalid",
        with_field(cloneset(), "metadata.labels", {BAD_KEY: "x"}),
        f'metadata.labels: Invalid value: "{BAD_KEY}": {NAME_PART}',
        server=True,
    ),
    Bad(
        "label value invalid",
        with_field(broadcastjob(), "metadata.labels", {"a": "bad value!"}),
        'metadata.labels: Invalid value: "bad value!": a valid label must be',
        server=True,
    ),
    Bad(
        "annotation key invalid",
        with_field(advancedcronjob(), "metadata.annotations", {BAD_KEY: "x"}),
        f'metadata.annotations: Invalid value: "{BAD_KEY}": {NAME_PART}',
        server=True,
    ),
    Bad(
        "annotations over 256 KiB",
        with_field(sts(), "metadata.annotations", {"k": "x" * ANNOTATION_LIMIT}),
        f"metadata.annotations: Too long: may not be more than {ANNOTATION_LIMIT} bytes",
        server=True,
    ),
    *[
        Bad(
            "spec not an object",
            with_field(build(), "spec", "x"),
            'spec: Invalid value: "string": spec in body must be of type object',
            server=True,
        )
        for build in (cloneset, sts, broadcastjob, advancedcronjob)
    ],
    # BroadcastJob and AdvancedCronJob names: alphanumerics and '-', at most 63 characters.
    Bad(
        "name with a dot",
        with_field(broadcastjob(), "metadata.name", "a.b"),
        f'metadata.name: Invalid value: "a.b": BroadcastJob {_JOB_NAME_RULE}',
    ),
    Bad(
        "name over 63 characters",
        with_field(broadcastjob(), "metadata.name", _LONG_NAME),
        f'metadata.name: Invalid value: "{_LONG_NAME}": must be no more than 63 characters',
    ),
    Bad(
        "generateName with a dot",
        with_field(
            with_field(broadcastjob(), "metadata.name", DELETE), "metadata.generateName", "a.b-"
        ),
        f'metadata.generateName: Invalid value: "a.b-": BroadcastJob {_JOB_NAME_RULE}',
    ),
    Bad(
        "name with a dot",
        with_field(advancedcronjob(), "metadata.name", "a.b"),
        f'metadata.name: Invalid value: "a.b": AdvancedCronJob {_JOB_NAME_RULE}',
    ),
    Bad(
        "name over 63 characters",
        with_field(advancedcronjob(), "metadata.name", _LONG_NAME),
        f'metadata.name: Invalid value: "{_LONG_NAME}": must be no more than 63 characters',
    ),
]
META_GOOD = [
    Good("name of 63 characters", with_field(broadcastjob(), "metadata.name", "a" * 63)),
    Good("name of 63 characters", with_field(advancedcronjob(), "metadata.name", "a" * 63)),
    Good(
        "annotations of exactly 256 KiB",
        with_field(cloneset(), "metadata.annotations", {"k": "x" * (ANNOTATION_LIMIT - 1)}),
    ),
]

# -- pod templates (checked on CloneSets; the paths of the other kinds follow) ------------

_LABEL_VALUE = "a valid label must be an empty string or consist of alphanumeric characters"
_DNS_LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters"

TEMPLATE_BAD = [
    Bad(
        "template label key invalid",
        with_field(cloneset(), "spec.template.metadata.labels", {**DEFAULT_LABELS, BAD_KEY: "x"}),
        f'spec.template.metadata.labels: Invalid value: "{BAD_KEY}": {NAME_PART}',
    ),
    Bad(
        "template label value invalid",
        with_field(
            cloneset(), "spec.template.metadata.labels", {**DEFAULT_LABELS, "b": "bad value!"}
        ),
        f'spec.template.metadata.labels: Invalid value: "bad value!": {_LABEL_VALUE}',
    ),
    Bad(
        "template label value not a string",
        with_field(cloneset(), "spec.template.metadata.labels", {**DEFAULT_LABELS, "n": 5}),
        "spec.template.metadata.labels[n]: Invalid value: 5: must be a string",
    ),
    Bad(
        "template labels not a map",
        with_field(broadcastjob(), "spec.template.metadata.labels", ["a"]),
        'spec.template.metadata.labels: Invalid value: ["a"]: must be a map of strings',
    ),
    Bad(
        "template annotation key invalid",
        with_field(cloneset(), "spec.template.metadata.annotations", {BAD_KEY: "x"}),
        f'spec.template.metadata.annotations: Invalid value: "{BAD_KEY}": {NAME_PART}',
    ),
    Bad(
        "template annotation value not a string",
        with_field(cloneset(), "spec.template.metadata.annotations", {"a": True}),
        "spec.template.metadata.annotations[a]: Invalid value: true: must be a string",
    ),
    Bad(
        "template annotations not a map",
        with_field(cloneset(), "spec.template.metadata.annotations", "a=b"),
        'spec.template.metadata.annotations: Invalid value: "a=b": must be a map of strings',
    ),
    Bad(
        "template annotations over 256 KiB",
        with_field(cloneset(), "spec.template.metadata.annotations", {"k": "x" * ANNOTATION_LIMIT}),
        "spec.template.metadata.annotations: Too long: must have at most 262144 bytes",
    ),
    Bad(
        "template spec not an object",
        with_field(cloneset(), POD, "x"),
        f'{POD}: Invalid value: "x": must be an object',
    ),
    Bad(
        "no containers",
        with_field(cloneset(), f"{POD}.containers", []),
        f"{POD}.containers: Required value",
    ),
    Bad(
        "containers not a list",
        with_field(cloneset(), f"{POD}.containers", "main"),
        f'{POD}.containers: Invalid value: "main": must be a list',
    ),
    Bad(
        "container not an object",
        with_field(cloneset(), f"{POD}.containers", ["main"]),
        f'{C0}: Invalid value: "main": must be an object',
    ),
    Bad(
        "initContainers not a list",
        with_field(cloneset(), f"{POD}.initContainers", {"name": "init"}),
        f'{POD}.initContainers: Invalid value: {{"name":"init"}}: must be a list',
    ),
    Bad(
        "container without a name",
        with_field(cloneset(), f"{C0}.name", DELETE),
        f"{C0}.name: Required value",
    ),
    Bad(
        "container name not a DNS label",
        with_field(cloneset(), f"{C0}.name", "Main"),
        f'{C0}.name: Invalid value: "Main": {_DNS_LABEL}',
    ),
    Bad(
        "init container name not a DNS label",
        with_field(cloneset(), f"{POD}.initContainers", [container("Init")]),
        f'{POD}.initContainers[0].name: Invalid value: "Init": {_DNS_LABEL}',
    ),
    Bad(
        "two containers of one name",
        with_field(cloneset(), f"{POD}.containers", [container(), container()]),
        f'{POD}.containers[1].name: Duplicate value: "main"',
    ),
    Bad(
        "container named like an init container",
        with_field(cloneset(), f"{POD}.initContainers", [container()]),
        f'{C0}.name: Duplicate value: "main"',
    ),
    Bad(
        "image with leading whitespace",
        with_field(cloneset(), f"{C0}.image", " nginx:1.25"),
        f'{C0}.image: Invalid value: " nginx:1.25": must not have leading or trailing whitespace',
    ),
    Bad(
        "unknown imagePullPolicy",
        with_field(cloneset(), f"{C0}.imagePullPolicy", "Sometimes"),
        f'{C0}.imagePullPolicy: Unsupported value: "Sometimes": '
        'supported values: "Always", "IfNotPresent", "Never"',
    ),
    Bad(
        "unknown terminationMessagePolicy",
        with_field(cloneset(), f"{C0}.terminationMessagePolicy", "Sometimes"),
        f'{C0}.terminationMessagePolicy: Unsupported value: "Sometimes": '
        'supported values: "File", "FallbackToLogsOnError"',
    ),
    Bad(
        "containerPort 0",
        with_field(cloneset(), f"{C0}.ports", [{"containerPort": 0}]),
        f"{C0}.ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive",
    ),
    Bad(
        "containerPort 65536",
        with_field(cloneset(), f"{C0}.ports", [{"containerPort": 65536}]),
        f"{C0}.ports[0].containerPort: Invalid value: 65536: must be between 1 and 65535",
    ),
    Bad(
        "unknown port protocol",
        with_field(cloneset(), f"{C0}.ports", [{"containerPort": 80, "protocol": "HTTP"}]),
        f'{C0}.ports[0].protocol: Unsupported value: "HTTP": '
        'supported values: "SCTP", "TCP", "UDP"',
    ),
    Bad(
        "volumeMount without a name",
        with_field(cloneset(), f"{C0}.volumeMounts", [{"mountPath": "/data"}]),
        f"{C0}.volumeMounts[0].name: Required value",
    ),
    Bad(
        "volumeMount of an unknown volume",
        with_field(cloneset(), f"{C0}.volumeMounts", [{"name": "data", "mountPath": "/data"}]),
        f'{C0}.volumeMounts[0].name: Not found: "data"',
    ),
    Bad(
        "volumeMount without a mountPath",
        with_fields(
            cloneset(),
            {
                f"{POD}.volumes": [{"name": "data", "emptyDir": {}}],
                f"{C0}.volumeMounts": [{"name": "data"}],
            },
        ),
        f"{C0}.volumeMounts[0].mountPath: Required value",
    ),
    Bad(
        "volumes not a list",
        with_field(cloneset(), f"{POD}.volumes", {"name": "data"}),
        f'{POD}.volumes: Invalid value: {{"name":"data"}}: must be a list',
    ),
    Bad(
        "volume without a name",
        with_field(cloneset(), f"{POD}.volumes", [{"emptyDir": {}}]),
        f"{POD}.volumes[0].name: Required value",
    ),
    Bad(
        "volume name not a DNS label",
        with_field(cloneset(), f"{POD}.volumes", [{"name": "Data", "emptyDir": {}}]),
        f'{POD}.volumes[0].name: Invalid value: "Data": {_DNS_LABEL}',
    ),
    Bad(
        "two volumes of one name",
        with_field(cloneset(), f"{POD}.volumes", [{"name": "data"}, {"name": "data"}]),
        f'{POD}.volumes[1].name: Duplicate value: "data"',
    ),
    Bad(
        "unknown pod restartPolicy",
        with_field(cloneset(), f"{POD}.restartPolicy", "Sometimes"),
        f'{POD}.restartPolicy: Unsupported value: "Sometimes": '
        'supported values: "Always", "OnFailure", "Never"',
    ),
    Bad(
        "unknown dnsPolicy",
        with_field(cloneset(), f"{POD}.dnsPolicy", "Sometimes"),
        f'{POD}.dnsPolicy: Unsupported value: "Sometimes": '
        'supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ),
    Bad(
        "negative terminationGracePeriodSeconds",
        with_field(cloneset(), f"{POD}.terminationGracePeriodSeconds", -1),
        f"{POD}.terminationGracePeriodSeconds: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "pod activeDeadlineSeconds 0",
        with_field(broadcastjob(), f"{POD}.activeDeadlineSeconds", 0),
        f"{POD}.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647",
    ),
    Bad(
        "pod activeDeadlineSeconds over int32",
        with_field(broadcastjob(), f"{POD}.activeDeadlineSeconds", 2**31),
        f"{POD}.activeDeadlineSeconds: Invalid value: 2147483648: must be between 1 and",
    ),
    Bad(
        "container name not a DNS label",
        with_field(sts(), f"{C0}.name", "Main"),
        f'{C0}.name: Invalid value: "Main": {_DNS_LABEL}',
    ),
    Bad(
        "container name not a DNS label",
        with_field(broadcastjob(), f"{C0}.name", "Main"),
        f'{C0}.name: Invalid value: "Main": {_DNS_LABEL}',
    ),
    Bad(
        "job pod container name not a DNS label",
        with_field(advancedcronjob(), f"{JOB_POD}.containers[0].name", "Main"),
        f'{JOB_POD}.containers[0].name: Invalid value: "Main": {_DNS_LABEL}',
    ),
    Bad(
        "broadcast job pod without containers",
        with_field(acj_broadcast(), f"{BJT}.spec.template.spec.containers", []),
        f"{BJT}.spec.template.spec.containers: Required value",
    ),
]
TEMPLATE_GOOD = [
    Good(
        "containerPort 1 and 65535",
        with_field(cloneset(), f"{C0}.ports", [{"containerPort": 1}, {"containerPort": 65535}]),
    ),
    Good(
        "terminationGracePeriodSeconds 0",
        with_field(cloneset(), f"{POD}.terminationGracePeriodSeconds", 0),
    ),
    Good(
        "pod activeDeadlineSeconds 1", with_field(broadcastjob(), f"{POD}.activeDeadlineSeconds", 1)
    ),
    Good(
        "pod activeDeadlineSeconds max int32",
        with_field(broadcastjob(), f"{POD}.activeDeadlineSeconds", 2**31 - 1),
    ),
    Good(
        "template annotations of exactly 256 KiB",
        with_field(
            cloneset(), "spec.template.metadata.annotations", {"k": "x" * (ANNOTATION_LIMIT - 1)}
        ),
    ),
    Good(
        "volumeMount of a claim template",
        with_fields(
            cloneset(),
            {
                "spec.volumeClaimTemplates": [claim()],
                f"{C0}.volumeMounts": [{"name": "data", "mountPath": "/data"}],
            },
        ),
    ),
]

# -- selectors and claim templates (CloneSet and StatefulSet) ------------------------------

SELECTOR_BAD = [
    Bad(
        "selector missing",
        with_field(cloneset(), "spec.selector", DELETE),
        "spec.selector: Required value",
        server=True,
    ),
    Bad(
        "empty selector",
        cloneset(selector={}),
        "spec.selector: Invalid value: {}: empty selector is invalid for cloneset",
    ),
    Bad(
        "selector not matching the template",
        cloneset(selector={"matchLabels": {"app": "other"}}),
        'spec.template.metadata.labels: Invalid value: {"app":"demo"}: '
        "`selector` does not match template `labels`",
    ),
    Bad(
        "In without values",
        cloneset(selector={"matchExpressions": [expression("In")]}),
        "spec.selector.matchExpressions[0].values: Required value: "
        "must be specified when `operator` is 'In' or 'NotIn'",
    ),
    Bad(
        "Exists with values",
        cloneset(selector={"matchExpressions": [expression("Exists", ["demo"])]}),
        "spec.selector.matchExpressions[0].values: Forbidden: "
        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    ),
    Bad(
        "unknown operator",
        cloneset(selector={"matchExpressions": [expression("Like", ["demo"])]}),
        'spec.selector.matchExpressions[0].operator: Unsupported value: "Like": '
        'supported values: "In", "NotIn", "Exists", "DoesNotExist"',
    ),
    Bad(
        "expression key invalid",
        cloneset(selector={"matchExpressions": [expression("Exists", key=BAD_KEY)]}),
        f'spec.selector.matchExpressions[0].key: Invalid value: "{BAD_KEY}": {NAME_PART}',
    ),
    Bad(
        "expression without a key",
        cloneset(selector={"matchExpressions": [{"operator": "Exists"}]}),
        "spec.selector.matchExpressions[0].key: Required value",
        server=True,
    ),
    Bad(
        "expression value not a string",
        cloneset(selector={"matchExpressions": [{"key": "app", "operator": "In", "values": [1]}]}),
        'spec.selector.matchExpressions[0].values[0]: Invalid value: "integer": '
        "spec.selector.matchExpressions[0].values[0] in body must be of type string",
        server=True,
    ),
    Bad(
        "matchLabels key invalid",
        cloneset(selector={"matchLabels": {BAD_KEY: "x"}}),
        f'spec.selector.matchLabels: Invalid value: "{BAD_KEY}": {NAME_PART}',
    ),
    Bad(
        "matchLabels value invalid",
        cloneset(selector={"matchLabels": {"app": "bad value!"}}),
        f'spec.selector.matchLabels: Invalid value: "bad value!": {_LABEL_VALUE}',
    ),
    Bad(
        "matchExpressions not a list",
        cloneset(selector={"matchExpressions": expression("Exists")}),
        'spec.selector.matchExpressions: Invalid value: "object": '
        "spec.selector.matchExpressions in body must be of type array",
        server=True,
    ),
    Bad(
        "template not an object",
        cloneset(template="nginx"),
        'spec.template: Invalid value: "string": spec.template in body must be of type object',
        server=True,
    ),
    Bad(
        "selector not an object",
        cloneset(selector="app=demo"),
        'spec.selector: Invalid value: "string": spec.selector in body must be of type object',
        server=True,
    ),
    Bad(
        "claim template without a name",
        cloneset(volumeClaimTemplates=[claim(None)]),
        "spec.volumeClaimTemplates[0].metadata.name: Required value",
    ),
    Bad(
        "two claim templates of one name",
        cloneset(volumeClaimTemplates=[claim(), claim()]),
        'spec.volumeClaimTemplates[1].metadata.name: Duplicate value: "data"',
    ),
    *both(
        "empty selector",
        lambda v: sts(v, selector={}),
        "spec.selector: Invalid value: {}: empty selector is invalid for statefulset",
    ),
    *both(
        "selector not matching the template",
        lambda v: sts(v, selector={"matchLabels": {"app": "other"}}),
        'spec.template.metadata.labels: Invalid value: {"app":"demo"}: '
        "`selector` does not match template `labels`",
    ),
    *both(
        "unknown operator",
        lambda v: sts(v, selector={"matchExpressions": [expression("Like", ["demo"])]}),
        'spec.selector.matchExpressions[0].operator: Unsupported value: "Like"',
    ),
    *both(
        "two claim templates of one name",
        lambda v: sts(v, volumeClaimTemplates=[claim(), claim()]),
        'spec.volumeClaimTemplates[1].metadata.name: Duplicate value: "data"',
    ),
    *both(
        "claim template without a name",
        lambda v: sts(v, volumeClaimTemplates=[claim(None)]),
        "spec.volumeClaimTemplates[0].metadata.name: Required value",
    ),
]
SELECTOR_GOOD = [
    Good(
        "selector by expression",
        cloneset(selector={"matchExpressions": [expression("In", ["demo"])]}),
    ),
    Good(
        "selector with DoesNotExist",
        cloneset(
            selector={
                "matchLabels": DEFAULT_LABELS,
                "matchExpressions": [expression("DoesNotExist", key="x")],
            }
        ),
    ),
    *both_good(
        "selector by expression",
        lambda v: sts(v, selector={"matchExpressions": [expression("NotIn", ["other"])]}),
    ),
]

# -- CloneSet ------------------------------------------------------------------------------


def cs_strategy(**strategy: Any) -> Obj:
    return cloneset(updateStrategy=strategy)


CLONESET_BAD = [
    Bad(
        "negative replicas (the scale subresource's replicas path)",
        cloneset(replicas=-1),
        ".spec.replicas: Invalid value: -1: should be a non-negative integer",
        server=True,
    ),
    Bad(
        "replicas not an integer",
        cloneset(replicas="3"),
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer',
        server=True,
    ),
    Bad(
        "restartPolicy other than Always",
        with_field(cloneset(), f"{POD}.restartPolicy", "OnFailure"),
        f'{POD}.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ),
    Bad(
        "pod activeDeadlineSeconds",
        with_field(cloneset(), f"{POD}.activeDeadlineSeconds", 30),
        f"{POD}.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in cloneset is not "
        "supported",
    ),
    Bad(
        "negative minReadySeconds",
        cloneset(minReadySeconds=-1),
        f"spec.minReadySeconds: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "negative revisionHistoryLimit",
        cloneset(revisionHistoryLimit=-1),
        f"spec.revisionHistoryLimit: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "negative progressDeadlineSeconds",
        cloneset(progressDeadlineSeconds=-1),
        f"spec.progressDeadlineSeconds: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "progressDeadlineSeconds not above minReadySeconds",
        cloneset(minReadySeconds=10, progressDeadlineSeconds=10),
        "spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds",
    ),
    Bad(
        "progressDeadlineSeconds above int32",
        cloneset(progressDeadlineSeconds=2**31),
        "spec.progressDeadlineSeconds: Invalid value: 2147483648: "
        "must be less than or equal to 2147483647",
    ),
    Bad(
        "unknown updateStrategy.type",
        cs_strategy(type="Rolling"),
        f'{US}.type: Unsupported value: "Rolling": '
        'supported values: "ReCreate", "InPlaceIfPossible", "InPlaceOnly", "OnDelete"',
        server=True,
    ),
    Bad(
        "partition over 100%",
        cs_strategy(partition="120%"),
        f'{US}.partition: Invalid value: "120%": must be between 0% and 100%',
    ),
    Bad(
        "negative partition percentage",
        cs_strategy(partition="-10%"),
        f'{US}.partition: Invalid value: "-10%": must be between 0% and 100%',
    ),
    Bad(
        "negative partition",
        cs_strategy(partition=-1),
        f"{US}.partition: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "partition string without %",
        cs_strategy(partition="5"),
        f'{US}.partition: Invalid value: "5": a string must be a percentage such as "5%"',
    ),
    Bad(
        "partition neither a number nor a percentage",
        cs_strategy(partition="half"),
        f'{US}.partition: Invalid value: "half": must be an integer or a percentage such as',
    ),
    Bad(
        "partition a boolean",
        cs_strategy(partition=True),
        f'{US}.partition: Invalid value: "boolean": {US}.partition in body must be of type '
        "integer,string",
        server=True,
    ),
    Bad(
        "maxUnavailable over 100%",
        cs_strategy(maxUnavailable="120%"),
        f'{US}.maxUnavailable: Invalid value: "120%": must be between 0% and 100%',
    ),
    Bad(
        "negative maxUnavailable",
        cs_strategy(maxUnavailable=-1),
        f"{US}.maxUnavailable: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "maxUnavailable string without %",
        cs_strategy(maxUnavailable="5"),
        f'{US}.maxUnavailable: Invalid value: "5": a string must be a percentage',
    ),
    Bad(
        "negative maxSurge",
        cs_strategy(maxSurge=-1),
        f"{US}.maxSurge: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "negative maxSurge percentage",
        cs_strategy(maxSurge="-5%"),
        f'{US}.maxSurge: Invalid value: "-5%": must be greater than or equal to 0%',
    ),
    Bad(
        "maxSurge string without %",
        cs_strategy(maxSurge="5"),
        f'{US}.maxSurge: Invalid value: "5": a string must be a percentage',
    ),
    Bad(
        "maxSurge with InPlaceOnly",
        cs_strategy(type="InPlaceOnly", maxSurge=1),
        f"{US}.maxSurge: Invalid value: 1: can not use maxSurge with strategy type InPlaceOnly",
    ),
    Bad(
        "maxSurge percentage with InPlaceOnly",
        cloneset(replicas=3, updateStrategy={"type": "InPlaceOnly", "maxSurge": "10%"}),
        f'{US}.maxSurge: Invalid value: "10%": can not use maxSurge with strategy type',
    ),
    Bad(
        "maxUnavailable and maxSurge both 0",
        cs_strategy(maxUnavailable=0, maxSurge=0),
        f"{US}.maxUnavailable: Invalid value: 0: "
        "maxUnavailable and maxSurge should not both be less than 1",
    ),
    Bad(
        "maxUnavailable 0% and maxSurge unset",
        cloneset(replicas=5, updateStrategy={"maxUnavailable": "0%"}),
        f'{US}.maxUnavailable: Invalid value: "0%": maxUnavailable and maxSurge should not',
    ),
    Bad(
        "scaleStrategy.maxUnavailable 0",
        cloneset(scaleStrategy={"maxUnavailable": 0}),
        "spec.scaleStrategy.maxUnavailable: Invalid value: 0: must be greater than 0",
    ),
    Bad(
        "scaleStrategy.maxUnavailable string without %",
        cloneset(scaleStrategy={"maxUnavailable": "2"}),
        'spec.scaleStrategy.maxUnavailable: Invalid value: "2": a string must be a percentage',
    ),
    Bad(
        "negative in-place grace period",
        cs_strategy(type="InPlaceIfPossible", inPlaceUpdateStrategy={"gracePeriodSeconds": -1}),
        f"{US}.inPlaceUpdateStrategy.gracePeriodSeconds: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "priority weight over 100",
        cloneset(updateStrategy=weights(weight(101))),
        f"{US}.priorityStrategy.weightPriority[0].weight: Invalid value: 101: "
        "must be between 0 and 100, inclusive",
    ),
    Bad(
        "negative priority weight",
        cloneset(updateStrategy=weights(weight(-1))),
        f"{US}.priorityStrategy.weightPriority[0].weight: Invalid value: -1: "
        "must be between 0 and 100, inclusive",
    ),
    Bad(
        "priority weight missing",
        cloneset(updateStrategy=weights({"matchSelector": {"matchLabels": DEFAULT_LABELS}})),
        f"{US}.priorityStrategy.weightPriority[0].weight: Required value",
        server=True,
    ),
    Bad(
        "priority term with an empty selector",
        cloneset(updateStrategy=weights(weight(10, {}))),
        f"{US}.priorityStrategy.weightPriority[0].matchSelector: Required value: "
        "a non-empty selector is required",
    ),
    Bad(
        "priority term with an invalid selector",
        cloneset(updateStrategy=weights(weight(10, {"matchExpressions": [expression("Like")]}))),
        f"{US}.priorityStrategy.weightPriority[0].matchSelector.matchExpressions[0].operator: "
        'Unsupported value: "Like"',
    ),
    Bad(
        "weight and order priorities together",
        cs_strategy(
            priorityStrategy={
                "weightPriority": [weight(10)],
                "orderPriority": [{"orderedKey": "rank"}],
            }
        ),
        f"{US}.priorityStrategy: Forbidden: only one of weightPriority and orderPriority can "
        "be used",
    ),
    Bad(
        "empty orderedKey",
        cs_strategy(priorityStrategy={"orderPriority": [{"orderedKey": ""}]}),
        f"{US}.priorityStrategy.orderPriority[0].orderedKey: Required value",
    ),
    Bad(
        "priorityStrategy not an object",
        cs_strategy(priorityStrategy=["rank"]),
        f'{US}.priorityStrategy: Invalid value: "array": {US}.priorityStrategy in body must be '
        "of type object",
        server=True,
    ),
    Bad(
        "scatter term with an empty key",
        cs_strategy(scatterStrategy=[{"key": "", "value": "a"}]),
        f"{US}.scatterStrategy[0].key: Required value",
    ),
    Bad(
        "scatter term repeated",
        cs_strategy(scatterStrategy=[{"key": "zone", "value": "a"}] * 2),
        f'{US}.scatterStrategy[1]: Duplicate value: {{"key":"zone","value":"a"}}',
    ),
    Bad(
        "scatterStrategy not a list",
        cs_strategy(scatterStrategy={"key": "zone", "value": "a"}),
        f'{US}.scatterStrategy: Invalid value: "object": {US}.scatterStrategy in body must be '
        "of type array",
        server=True,
    ),
    Bad(
        "podsToDelete on create",
        cloneset(scaleStrategy={"podsToDelete": ["cs-x1"]}),
        'spec.scaleStrategy.podsToDelete: Invalid value: "cs-x1": '
        "pod cs-x1 cannot belong to a CloneSet that is being created",
    ),
    Bad(
        "podsToDelete repeats a name",
        cloneset(scaleStrategy={"podsToDelete": ["cs-x1", "cs-x1"]}),
        'spec.scaleStrategy.podsToDelete: Invalid value: ["cs-x1","cs-x1"]: '
        "duplicated items [cs-x1]",
    ),
    Bad(
        "podsToDelete not a list of names",
        cloneset(scaleStrategy={"podsToDelete": [1]}),
        'spec.scaleStrategy.podsToDelete[0]: Invalid value: "integer": '
        "spec.scaleStrategy.podsToDelete[0] in body must be of type string",
        server=True,
    ),
]
CLONESET_GOOD = [
    Good("zero replicas", cloneset(replicas=0)),
    Good("progressDeadlineSeconds above minReadySeconds", cloneset(progressDeadlineSeconds=1)),
    Good(
        "maxInt32 minReadySeconds and maxInt32 progressDeadlineSeconds",
        cloneset(minReadySeconds=2**31 - 1, progressDeadlineSeconds=2**31 - 1),
    ),
    Good(
        "zero minReadySeconds, revisionHistoryLimit",
        cloneset(minReadySeconds=0, revisionHistoryLimit=0),
    ),
    Good("partition 100%", cs_strategy(partition="100%")),
    Good("partition 0%", cs_strategy(partition="0%")),
    Good("partition above replicas", cloneset(replicas=2, updateStrategy={"partition": 5})),
    Good("maxUnavailable 100%", cs_strategy(maxUnavailable="100%")),
    Good("maxSurge 150%", cs_strategy(maxSurge="150%")),
    Good("maxSurge with InPlaceIfPossible", cs_strategy(type="InPlaceIfPossible", maxSurge=1)),
    Good("InPlaceOnly with maxSurge 0", cs_strategy(type="InPlaceOnly", maxSurge=0)),
    Good("OnDelete", cs_strategy(type="OnDelete")),
    Good(
        "maxSurge 10% with InPlaceOnly and 0 replicas",
        cloneset(replicas=0, updateStrategy={"type": "InPlaceOnly", "maxSurge": "10%"}),
    ),
    Good("maxUnavailable 0 with maxSurge 1", cs_strategy(maxUnavailable=0, maxSurge=1)),
    Good(
        "maxUnavailable and maxSurge 0 with 0 replicas",
        cloneset(replicas=0, updateStrategy={"maxUnavailable": 0, "maxSurge": 0}),
    ),
    Good("maxUnavailable 1% rounds up to 1", cs_strategy(maxUnavailable="1%")),
    Good(
        "scaleStrategy.maxUnavailable, disablePVCReuse and a preNormal hook",
        cloneset(
            scaleStrategy={"maxUnavailable": "10%", "disablePVCReuse": True},
            lifecycle={"preNormal": {"finalizersHandler": ["example.com/ready"]}},
        ),
    ),
    Good(
        "in-place grace period 0",
        cs_strategy(type="InPlaceIfPossible", inPlaceUpdateStrategy={"gracePeriodSeconds": 0}),
    ),
    Good("priority weights 0 and 100", cloneset(updateStrategy=weights(weight(0), weight(100)))),
    Good("order priority", cs_strategy(priorityStrategy={"orderPriority": [{"orderedKey": "r"}]})),
    Good(
        "scatter: one key, two values",
        cs_strategy(scatterStrategy=[{"key": "zone", "value": "a"}, {"key": "zone", "value": "b"}]),
    ),
    Good("restartPolicy Always", with_field(cloneset(), f"{POD}.restartPolicy", "Always")),
]

# -- Advanced StatefulSet ------------------------------------------------------------------

_ORDERED_ONE = "must be 1 unless podManagementPolicy is Parallel"
_AT_LEAST_ONE = "must be at least 1, or a percentage above 0%"

STATEFULSET_BAD = [
    *both(
        "negative replicas (the scale subresource's replicas path)",
        lambda v: sts(v, replicas=-1),
        ".spec.replicas: Invalid value: -1: should be a non-negative integer",
        server=True,
    ),
    *both(
        "unknown podManagementPolicy",
        lambda v: sts(v, podManagementPolicy="Random"),
        'spec.podManagementPolicy: Unsupported value: "Random": '
        'supported values: "OrderedReady", "Parallel"',
        server=True,
    ),
    *both(
        "unknown updateStrategy.type",
        lambda v: sts(v, updateStrategy={"type": "Rolling"}),
        f'{US}.type: Unsupported value: "Rolling": supported values: "RollingUpdate", "OnDelete"',
        server=True,
    ),
    *both(
        "rollingUpdate with OnDelete",
        lambda v: sts(v, updateStrategy={"type": "OnDelete", "rollingUpdate": {"partition": 1}}),
        f'{RU}: Invalid value: {{"partition":1}}: only allowed for updateStrategy '
        "'RollingUpdate'",
    ),
    *both(
        "negative partition",
        lambda v: rolling(v, partition=-1),
        f"{RU}.partition: Invalid value: -1: {NEGATIVE}",
    ),
    *both(
        "negative minReadySeconds",
        lambda v: rolling(v, minReadySeconds=-1),
        f"{RU}.minReadySeconds: Invalid value: -1: must be between 0 and 300, inclusive",
    ),
    *both(
        "minReadySeconds 301",
        lambda v: rolling(v, minReadySeconds=301),
        f"{RU}.minReadySeconds: Invalid value: 301: must be between 0 and 300, inclusive",
    ),
    *both(
        "maxUnavailable string without %",
        lambda v: parallel_sts(v, maxUnavailable="5"),
        f'{RU}.maxUnavailable: Invalid value: "5": a string must be a percentage',
    ),
    *both(
        "negative maxUnavailable",
        lambda v: parallel_sts(v, maxUnavailable=-1),
        f"{RU}.maxUnavailable: Invalid value: -1: {NEGATIVE}",
    ),
    *both(
        "maxUnavailable over 100%",
        lambda v: parallel_sts(v, maxUnavailable="120%"),
        f'{RU}.maxUnavailable: Invalid value: "120%": must be between 0% and 100%',
    ),
    *both(
        "maxUnavailable 0",
        lambda v: parallel_sts(v, maxUnavailable=0),
        f"{RU}.maxUnavailable: Invalid value: 0: {_AT_LEAST_ONE}",
    ),
    *both(
        "maxUnavailable 0%",
        lambda v: parallel_sts(v, maxUnavailable="0%"),
        f'{RU}.maxUnavailable: Invalid value: "0%": {_AT_LEAST_ONE}',
    ),
    *both(
        "maxUnavailable 2 with OrderedReady",
        lambda v: rolling(v, maxUnavailable=2),
        f"{RU}.maxUnavailable: Invalid value: 2: {_ORDERED_ONE}",
    ),
    *both(
        "maxUnavailable 50% with OrderedReady",
        lambda v: rolling(v, maxUnavailable="50%"),
        f'{RU}.maxUnavailable: Invalid value: "50%": {_ORDERED_ONE}',
    ),
    *both(
        "unknown podUpdatePolicy",
        lambda v: rolling(v, podUpdatePolicy="Sometimes"),
        f'{RU}.podUpdatePolicy: Unsupported value: "Sometimes": '
        'supported values: "ReCreate", "InPlaceIfPossible", "InPlaceOnly"',
        server=True,
    ),
    *both(
        "InPlaceIfPossible without the readiness gate",
        lambda v: rolling(v, podUpdatePolicy="InPlaceIfPossible"),
        f"{POD}.readinessGates: Invalid value: null: "
        "must contain InPlaceUpdateReady when podUpdatePolicy is InPlaceIfPossible",
    ),
    *both(
        "InPlaceOnly with another readiness gate",
        lambda v: with_field(
            rolling(v, podUpdatePolicy="InPlaceOnly"),
            f"{POD}.readinessGates",
            [{"conditionType": "Other"}],
        ),
        f'{POD}.readinessGates: Invalid value: [{{"conditionType":"Other"}}]: '
        "must contain InPlaceUpdateReady when podUpdatePolicy is InPlaceOnly",
    ),
    *both(
        "unorderedUpdate with OrderedReady",
        lambda v: rolling(v, unorderedUpdate={}),
        f"{RU}.unorderedUpdate: Forbidden: only allowed when podManagementPolicy is Parallel",
    ),
    *both(
        "unordered priority weight over 100",
        lambda v: parallel_sts(v, unorderedUpdate=weights(weight(101))),
        f"{RU}.unorderedUpdate.priorityStrategy.weightPriority[0].weight: Invalid value: 101: "
        "must be between 0 and 100, inclusive",
    ),
    *both(
        "unordered weight and order priorities together",
        lambda v: parallel_sts(
            v,
            unorderedUpdate={
                "priorityStrategy": {
                    "weightPriority": [weight(1)],
                    "orderPriority": [{"orderedKey": "rank"}],
                }
            },
        ),
        f"{RU}.unorderedUpdate.priorityStrategy: Forbidden: only one of weightPriority and "
        "orderPriority can be used",
    ),
    *both(
        "negative in-place grace period",
        lambda v: rolling(v, inPlaceUpdateStrategy={"gracePeriodSeconds": -1}),
        f"{RU}.inPlaceUpdateStrategy.gracePeriodSeconds: Invalid value: -1: {NEGATIVE}",
    ),
    *both(
        "restartPolicy other than Always",
        lambda v: with_field(sts(v), f"{POD}.restartPolicy", "Never"),
        f'{POD}.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ),
    *both(
        "pod activeDeadlineSeconds",
        lambda v: with_field(sts(v), f"{POD}.activeDeadlineSeconds", 30),
        f"{POD}.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not "
        "supported",
    ),
    *both(
        "negative revisionHistoryLimit",
        lambda v: sts(v, revisionHistoryLimit=-1),
        f"spec.revisionHistoryLimit: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "negative reserved ordinal",
        sts(replicas=3, reserveOrdinals=[-1]),
        f"spec.reserveOrdinals[0]: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "reserved range with its start above its end",
        sts(replicas=3, reserveOrdinals=[1, "5-3"]),
        'spec.reserveOrdinals[1]: Invalid value: "5-3": the start of a range must not be '
        "greater than its end",
    ),
    Bad(
        "reserved range that is not one",
        sts(replicas=3, reserveOrdinals=[1, 2, "a-b"]),
        'spec.reserveOrdinals[2]: Invalid value: "a-b": must be an integer or a range like "3-5"',
    ),
    *both(
        "rollingUpdate not an object",
        lambda v: sts(v, updateStrategy={"type": "RollingUpdate", "rollingUpdate": "x"}),
        f'{RU}: Invalid value: "string": {RU} in body must be of type object',
        server=True,
    ),
    Bad(
        "reserveOrdinals not a list",
        sts(replicas=3, reserveOrdinals=1),
        'spec.reserveOrdinals: Invalid value: "integer": spec.reserveOrdinals in body must be '
        "of type array",
        server=True,
    ),
    Bad(
        "reserved ordinal as a numeric string",
        sts(replicas=3, reserveOrdinals=["1"]),
        'spec.reserveOrdinals[0]: Invalid value: "1": a string must be a range like "1-1"; '
        "write one ordinal as the number 1, without quotes",
    ),
    Bad(
        "reserved ordinal not an integer or a string",
        sts(replicas=3, reserveOrdinals=[True]),
        'spec.reserveOrdinals[0]: Invalid value: "boolean"',
        server=True,
    ),
    Bad(
        "negative reserved ordinal, carried in the v1alpha1 annotation",
        with_field(
            sts("v1alpha1", replicas=3),
            "metadata.annotations",
            {"apps.kruise.io/v1beta1-fields": '{"spec":{"reserveOrdinals":[-3]}}'},
        ),
        f"spec.reserveOrdinals[0]: Invalid value: -3: {NEGATIVE}",
    ),
]
STATEFULSET_GOOD = [
    *both_good("zero replicas", lambda v: sts(v, replicas=0)),
    *both_good(
        "OnDelete without rollingUpdate", lambda v: sts(v, updateStrategy={"type": "OnDelete"})
    ),
    *both_good("minReadySeconds 0", lambda v: rolling(v, minReadySeconds=0)),
    *both_good("minReadySeconds 300", lambda v: rolling(v, minReadySeconds=300)),
    *both_good("maxUnavailable 1 with OrderedReady", lambda v: rolling(v, maxUnavailable=1)),
    *both_good("maxUnavailable 2 with Parallel", lambda v: parallel_sts(v, maxUnavailable=2)),
    *both_good("maxUnavailable 1% with Parallel", lambda v: parallel_sts(v, maxUnavailable="1%")),
    *both_good(
        "maxUnavailable 100% with Parallel", lambda v: parallel_sts(v, maxUnavailable="100%")
    ),
    *both_good(
        "InPlaceIfPossible with the readiness gate", lambda v: in_place_sts(v, "InPlaceIfPossible")
    ),
    *both_good(
        "unorderedUpdate with Parallel",
        lambda v: parallel_sts(v, unorderedUpdate=weights(weight(100))),
    ),
    *both_good(
        "in-place grace period 0",
        lambda v: rolling(v, inPlaceUpdateStrategy={"gracePeriodSeconds": 0}),
    ),
    Good("reserved ordinals 0 and replicas-1", sts(replicas=3, reserveOrdinals=[0, 2])),
    # The release's third example: v0.7.0 refused it, later OpenKruise admits it.
    Good("reserved ordinal equal to replicas", sts(replicas=3, reserveOrdinals=[1, 3])),
    Good("reserved ordinal repeated", sts(replicas=3, reserveOrdinals=[1, 1, "1-2"])),
    Good("reserved range", sts(replicas=3, reserveOrdinals=[0, "3-5"])),
    Good(
        "reserved ordinal beyond replicas in the v1alpha1 annotation",
        with_field(
            sts("v1alpha1", replicas=3),
            "metadata.annotations",
            {"apps.kruise.io/v1beta1-fields": '{"spec":{"reserveOrdinals":[2,"5-6"]}}'},
        ),
    ),
]

# -- BroadcastJob --------------------------------------------------------------------------

_ONLY_ALWAYS = "only allowed when completionPolicy.type is Always"
_JOB_RESTART = 'supported values: "OnFailure", "Never"'

BROADCASTJOB_BAD = [
    Bad(
        "restartPolicy Always",
        broadcastjob(template=pod_template(DEFAULT_LABELS, restart_policy="Always")),
        f'{POD}.restartPolicy: Unsupported value: "Always": {_JOB_RESTART}',
    ),
    Bad(
        "restartPolicy unset (defaulted to Always)",
        broadcastjob(template=pod_template(DEFAULT_LABELS)),
        f'{POD}.restartPolicy: Unsupported value: "Always": {_JOB_RESTART}',
    ),
    Bad(
        "restartPolicy unknown",
        broadcastjob(template=pod_template(DEFAULT_LABELS, restart_policy="Sometimes")),
        f'{POD}.restartPolicy: Unsupported value: "Sometimes": {_JOB_RESTART}',
    ),
    Bad(
        "reserved pod label",
        with_field(
            broadcastjob(),
            "spec.template.metadata.labels",
            {**DEFAULT_LABELS, "broadcastjob-name": "x"},
        ),
        'spec.template.metadata.labels: Invalid value: {"app":"demo","broadcastjob-name":"x"}: '
        "must not set broadcastjob-name: the BroadcastJob controller sets them",
    ),
    Bad(
        "reserved controller-uid label",
        with_field(
            broadcastjob(),
            "spec.template.metadata.labels",
            {"broadcastjob-controller-uid": "u"},
        ),
        "spec.template.metadata.labels: Invalid value: "
        '{"broadcastjob-controller-uid":"u"}: must not set broadcastjob-controller-uid',
    ),
    Bad(
        "unknown completionPolicy.type",
        broadcastjob(completionPolicy={"type": "Sometimes"}),
        'spec.completionPolicy.type: Unsupported value: "Sometimes": '
        'supported values: "Always", "Never"',
        server=True,
    ),
    Bad(
        "ttlSecondsAfterFinished with completion Never",
        broadcastjob(completionPolicy={"type": "Never", "ttlSecondsAfterFinished": 10}),
        f"spec.completionPolicy.ttlSecondsAfterFinished: Invalid value: 10: {_ONLY_ALWAYS}",
    ),
    Bad(
        "activeDeadlineSeconds with completion Never",
        broadcastjob(completionPolicy={"type": "Never", "activeDeadlineSeconds": 10}),
        f"spec.completionPolicy.activeDeadlineSeconds: Invalid value: 10: {_ONLY_ALWAYS}",
    ),
    Bad(
        "negative ttlSecondsAfterFinished",
        broadcastjob(completionPolicy={"type": "Always", "ttlSecondsAfterFinished": -1}),
        f"spec.completionPolicy.ttlSecondsAfterFinished: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "negative activeDeadlineSeconds",
        broadcastjob(completionPolicy={"activeDeadlineSeconds": -1}),
        f"spec.completionPolicy.activeDeadlineSeconds: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "parallelism over 100%",
        broadcastjob(parallelism="120%"),
        'spec.parallelism: Invalid value: "120%": must be between 0% and 100%',
    ),
    Bad(
        "negative parallelism",
        broadcastjob(parallelism=-1),
        f"spec.parallelism: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "parallelism string without %",
        broadcastjob(parallelism="5"),
        'spec.parallelism: Invalid value: "5": a string must be a percentage such as "5%"',
    ),
    Bad(
        "unknown failurePolicy.type",
        broadcastjob(failurePolicy={"type": "Retry"}),
        'spec.failurePolicy.type: Unsupported value: "Retry": '
        'supported values: "Continue", "FailFast", "Pause"',
        server=True,
    ),
    Bad(
        "negative restartLimit",
        broadcastjob(failurePolicy={"restartLimit": -1}),
        f"spec.failurePolicy.restartLimit: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "template missing (the defaults fill in an empty one)",
        with_field(broadcastjob(), "spec.template", DELETE),
        f"{POD}.containers: Required value",
    ),
]
BROADCASTJOB_GOOD = [
    Good(
        "restartPolicy OnFailure",
        broadcastjob(template=pod_template(DEFAULT_LABELS, restart_policy="OnFailure")),
    ),
    Good(
        "ttl and deadline 0 with completion Always",
        broadcastjob(
            completionPolicy={
                "type": "Always",
                "ttlSecondsAfterFinished": 0,
                "activeDeadlineSeconds": 0,
            }
        ),
    ),
    Good("completion Never without ttl", broadcastjob(completionPolicy={"type": "Never"})),
    Good("parallelism 100%", broadcastjob(parallelism="100%")),
    Good("parallelism 0", broadcastjob(parallelism=0)),
    Good("restartLimit 0", broadcastjob(failurePolicy={"type": "Continue", "restartLimit": 0})),
]

# -- AdvancedCronJob -----------------------------------------------------------------------


def schedule(value: str, expected: str) -> Bad:
    return Bad(
        f"schedule {value!r}",
        advancedcronjob(schedule=value),
        f"spec.schedule: Invalid value: {json.dumps(value)}: {expected}",
    )


ADVANCEDCRONJOB_BAD = [
    Bad("empty schedule", advancedcronjob(schedule=""), "spec.schedule: Required value"),
    Bad(
        "schedule missing",
        with_field(advancedcronjob(), "spec.schedule", DELETE),
        "spec.schedule: Required value",
        server=True,
    ),
    Bad(
        "schedule not a string",
        advancedcronjob(schedule=5),
        'spec.schedule: Invalid value: "integer": spec.schedule in body must be of type string',
        server=True,
    ),
    schedule("every day", "expected exactly 5 fields"),
    schedule(
        "0 0 * * * *",
        "expected exactly 5 fields (minute, hour, day of month, month, day of week), found 6",
    ),
    schedule("TZ=UTC 0 * * * *", "a time zone cannot be part of the schedule"),
    schedule("@every 5m", "@every is not supported"),
    schedule("@fortnightly", "unknown descriptor @fortnightly"),
    schedule("60 * * * *", "minute field 60: 60 is above the maximum 59"),
    schedule("* 24 * * *", "hour field 24: 24 is above the maximum 23"),
    schedule("* * 0 * *", "day of month field 0: 0 is below the minimum 1"),
    schedule("* * * 13 *", "month field 13: 13 is above the maximum 12"),
    schedule("* * * * 7", "day of week field 7: 7 is above the maximum 6"),
    schedule("* * * foo *", "month field foo: 'foo' is not a number or a name"),
    schedule("* 5-2 * * *", "hour field 5-2: the range 5-2 starts after it ends"),
    schedule("*/0 * * * *", "minute field */0: the step of */0 must be a positive number"),
    schedule("1/2/3 * * * *", "minute field 1/2/3: too many slashes in 1/2/3"),
    schedule("1-2-3 * * * *", "minute field 1-2-3: too many hyphens in 1-2-3"),
    schedule("1,,2 * * * *", "minute field 1,,2: empty list item"),
    schedule("-5 * * * *", "minute field -5: -5 is not a number or a range"),
    schedule("L * * * *", "minute field L: 'L' is not a number"),
    schedule("? * * * *", "croniter cannot evaluate this schedule"),
    Bad(
        "time zone not a string",
        advancedcronjob(timeZone=1),
        'spec.timeZone: Invalid value: "integer": spec.timeZone in body must be of type string',
        server=True,
    ),
    Bad(
        "job pod template not an object",
        with_field(advancedcronjob(), f"{JOB}.spec.template", "x"),
        f'{JOB}.spec.template: Invalid value: "x": must be an object',
    ),
    Bad(
        "broadcast job template spec not an object",
        with_field(acj_broadcast(), f"{BJT}.spec", "x"),
        f'{BJT}.spec: Invalid value: "string": {BJT}.spec in body must be of type object',
        server=True,
    ),
    Bad(
        "unknown time zone",
        advancedcronjob(timeZone="Mars/Olympus"),
        'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone',
    ),
    Bad(
        "empty time zone",
        advancedcronjob(timeZone=""),
        'spec.timeZone: Invalid value: "": must be an IANA time zone name',
    ),
    Bad(
        "time zone Local",
        advancedcronjob(timeZone="Local"),
        'spec.timeZone: Invalid value: "Local": must be an explicit IANA time zone name',
    ),
    Bad(
        "negative startingDeadlineSeconds",
        advancedcronjob(startingDeadlineSeconds=-1),
        "spec.startingDeadlineSeconds: Invalid value: -1: spec.startingDeadlineSeconds in body "
        "should be greater than or equal to 0",
        server=True,
    ),
    Bad(
        "negative successfulJobsHistoryLimit",
        advancedcronjob(successfulJobsHistoryLimit=-1),
        "spec.successfulJobsHistoryLimit: Invalid value: -1: spec.successfulJobsHistoryLimit in "
        "body should be greater than or equal to 0",
        server=True,
    ),
    Bad(
        "negative failedJobsHistoryLimit",
        advancedcronjob(failedJobsHistoryLimit=-1),
        "spec.failedJobsHistoryLimit: Invalid value: -1: spec.failedJobsHistoryLimit in body "
        "should be greater than or equal to 0",
        server=True,
    ),
    Bad(
        "unknown concurrencyPolicy",
        advancedcronjob(concurrencyPolicy="Sometimes"),
        'spec.concurrencyPolicy: Unsupported value: "Sometimes": '
        'supported values: "Allow", "Forbid", "Replace"',
        server=True,
    ),
    Bad(
        "template missing",
        with_field(advancedcronjob(), "spec.template", DELETE),
        "spec.template: Required value",
        server=True,
    ),
    Bad(
        "neither template",
        advancedcronjob(template={}),
        "spec.template: Required value: one of jobTemplate and broadcastJobTemplate must be set",
    ),
    Bad(
        "both templates",
        with_field(
            acj_broadcast(),
            "spec.template.jobTemplate",
            advancedcronjob()["spec"]["template"]["jobTemplate"],
        ),
        "spec.template: Forbidden: only one of jobTemplate and broadcastJobTemplate may be set",
    ),
    Bad(
        "job template spec not an object",
        with_field(advancedcronjob(), f"{JOB}.spec", "x"),
        f"{JOB}.spec: Required value",
    ),
    *[
        Bad(
            f"negative job {field}",
            acj_job(**{field: -1}),
            f"{JOB}.spec.{field}: Invalid value: -1: {NEGATIVE}",
        )
        for field in (
            "parallelism",
            "completions",
            "backoffLimit",
            "activeDeadlineSeconds",
            "ttlSecondsAfterFinished",
        )
    ],
    Bad(
        "job pod restartPolicy Always",
        with_field(advancedcronjob(), f"{JOB_POD}.restartPolicy", "Always"),
        f'{JOB_POD}.restartPolicy: Unsupported value: "Always": {_JOB_RESTART}',
    ),
    Bad(
        "job template label key invalid",
        with_field(advancedcronjob(), f"{JOB}.metadata.labels", {BAD_KEY: "x"}),
        f'{JOB}.metadata.labels: Invalid value: "{BAD_KEY}": {NAME_PART}',
    ),
    Bad(
        "job template annotation key invalid",
        with_field(advancedcronjob(), f"{JOB}.metadata.annotations", {BAD_KEY: "x"}),
        f'{JOB}.metadata.annotations: Invalid value: "{BAD_KEY}": {NAME_PART}',
    ),
    Bad(
        "broadcast job template label value invalid",
        with_field(acj_broadcast(), f"{BJT}.metadata.labels", {"a": "bad value!"}),
        f'{BJT}.metadata.labels: Invalid value: "bad value!": {_LABEL_VALUE}',
    ),
    Bad(
        "broadcast job pod restartPolicy Always",
        acj_broadcast(template=pod_template(DEFAULT_LABELS, restart_policy="Always")),
        f'{BJT}.spec.template.spec.restartPolicy: Unsupported value: "Always": {_JOB_RESTART}',
    ),
    Bad(
        "broadcast job reserved pod label",
        with_field(
            acj_broadcast(), f"{BJT}.spec.template.metadata.labels", {"broadcastjob-name": "x"}
        ),
        f'{BJT}.spec.template.metadata.labels: Invalid value: {{"broadcastjob-name":"x"}}: '
        "must not set broadcastjob-name",
    ),
    Bad(
        "broadcast job ttl with completion Never",
        acj_broadcast(completionPolicy={"type": "Never", "ttlSecondsAfterFinished": 5}),
        f"{BJT}.spec.completionPolicy.ttlSecondsAfterFinished: Invalid value: 5: {_ONLY_ALWAYS}",
    ),
    Bad(
        "broadcast job parallelism over 100%",
        acj_broadcast(parallelism="120%"),
        f'{BJT}.spec.parallelism: Invalid value: "120%": must be between 0% and 100%',
    ),
    Bad(
        "broadcast job negative restartLimit",
        acj_broadcast(failurePolicy={"restartLimit": -1}),
        f"{BJT}.spec.failurePolicy.restartLimit: Invalid value: -1: {NEGATIVE}",
    ),
    Bad(
        "broadcast job unknown completionPolicy.type",
        acj_broadcast(completionPolicy={"type": "Sometimes"}),
        f'{BJT}.spec.completionPolicy.type: Unsupported value: "Sometimes": '
        'supported values: "Always", "Never"',
        server=True,
    ),
    Bad(
        "broadcast job unknown failurePolicy.type",
        acj_broadcast(failurePolicy={"type": "Retry"}),
        f'{BJT}.spec.failurePolicy.type: Unsupported value: "Retry"',
        server=True,
    ),
]
ADVANCEDCRONJOB_GOOD = [
    Good("schedule at every maximum", advancedcronjob(schedule="59 23 31 12 6")),
    Good("schedule at every minimum", advancedcronjob(schedule="0 0 1 1 0")),
    Good("schedule with names", advancedcronjob(schedule="0 0 1 jan sun")),
    Good(
        "schedule with ranges, lists and steps",
        advancedcronjob(schedule="*/15 9-17 1,15 * mon-fri"),
    ),
    Good("schedule @hourly", advancedcronjob(schedule="@hourly")),
    Good("schedule with ? for a day", advancedcronjob(schedule="0 0 ? * mon")),
    Good("time zone UTC", advancedcronjob(timeZone="UTC")),
    Good("time zone Europe/Berlin", advancedcronjob(timeZone="Europe/Berlin")),
    Good(
        "limits and deadline 0",
        advancedcronjob(
            startingDeadlineSeconds=0, successfulJobsHistoryLimit=0, failedJobsHistoryLimit=0
        ),
    ),
    Good(
        "job numbers 0",
        acj_job(
            parallelism=0,
            completions=0,
            backoffLimit=0,
            activeDeadlineSeconds=0,
            ttlSecondsAfterFinished=0,
        ),
    ),
    Good(
        "job pod restartPolicy OnFailure",
        with_field(advancedcronjob(), f"{JOB_POD}.restartPolicy", "OnFailure"),
    ),
    Good("broadcast job template", acj_broadcast(parallelism="100%")),
]

REJECTED = [
    *META_BAD,
    *TEMPLATE_BAD,
    *SELECTOR_BAD,
    *CLONESET_BAD,
    *STATEFULSET_BAD,
    *BROADCASTJOB_BAD,
    *ADVANCEDCRONJOB_BAD,
]
ACCEPTED = [
    *META_GOOD,
    *TEMPLATE_GOOD,
    *SELECTOR_GOOD,
    *CLONESET_GOOD,
    *STATEFULSET_GOOD,
    *BROADCASTJOB_GOOD,
    *ADVANCEDCRONJOB_GOOD,
]


@pytest.mark.parametrize("bad", [b.param() for b in REJECTED])
def test_create_rule_refuses(kruise_plane: ControlPlane, kruise_namespace: str, bad: Bad) -> None:
    status, answer = send(kruise_plane, "POST", collection(bad.obj, kruise_namespace), bad.obj)
    assert_refused(status, answer, bad.obj, bad.expected, bad.server)


@pytest.mark.parametrize("good", [g.param() for g in ACCEPTED])
def test_create_edge_is_accepted(
    kruise_plane: ControlPlane, kruise_namespace: str, good: Good
) -> None:
    status, answer = send(kruise_plane, "POST", collection(good.obj, kruise_namespace), good.obj)
    assert status == 201, f"HTTP {status}: {answer.get('message', answer)}"


# -- update rules: create, then PUT --------------------------------------------------------


@dataclass(frozen=True)
class Live:
    """What an update case may touch: the API server and the test's namespace."""

    plane: ControlPlane
    namespace: str

    def pod(self, name: str, owner_uid: str | None = None, finalizer: bool = False) -> Obj:
        made: Obj = self.plane.rest.request(
            "POST", f"/api/v1/namespaces/{self.namespace}/pods", pod(name, owner_uid, finalizer)
        )
        return made

    def delete_pod(self, name: str) -> None:
        self.plane.rest.request("DELETE", f"/api/v1/namespaces/{self.namespace}/pods/{name}")

    def update(self, obj: Obj) -> Obj:
        path = item_path(obj, self.namespace)
        status, answer = put_rebased(self.plane, path, obj)
        if status >= 400:
            raise RestError("PUT", path, status, str(answer.get("message", answer)))
        return answer


Change = Callable[[Live, Obj], None]


@dataclass(frozen=True)
class Update:
    case: str
    before: Obj
    change: Change
    expected: str = ""  # empty: the update is accepted
    server: bool = False
    bug: str = ""

    def param(self) -> Any:
        marks = [pytest.mark.xfail(strict=True, reason=self.bug)] if self.bug else []
        kind = self.before["kind"].lower()
        if self.before["kind"] == "StatefulSet":
            kind += "-" + self.before["apiVersion"].split("/")[1]
        verdict = "refused" if self.expected else "accepted"
        suffix = f" {SERVER}" if self.server else ""
        return pytest.param(self, id=f"{kind}: {self.case} is {verdict}{suffix}", marks=marks)


def setting(field: str, value: Any) -> Change:
    def change(live: Live, obj: Obj) -> None:
        changed = with_field(obj, field, value)
        obj.clear()
        obj.update(changed)

    return change


def settings(changes: dict[str, Any]) -> Change:
    def change(live: Live, obj: Obj) -> None:
        changed = with_fields(obj, changes)
        obj.clear()
        obj.update(changed)

    return change


def deleting(*names: str) -> Change:
    return setting("spec.scaleStrategy.podsToDelete", list(names))


def pod_then_delete(name: str, owned: bool, other_owner: bool = False) -> Change:
    def change(live: Live, obj: Obj) -> None:
        uid = "00000000-0000-4000-8000-00000000beef" if other_owner else obj["metadata"]["uid"]
        live.pod(name, uid if owned else None)
        obj["spec"]["scaleStrategy"] = {"podsToDelete": [name]}

    return change


def terminating_pod_then_delete(live: Live, obj: Obj) -> None:
    live.pod("cs-dying", obj["metadata"]["uid"], finalizer=True)
    live.delete_pod("cs-dying")
    obj["spec"]["scaleStrategy"] = {"podsToDelete": ["cs-dying"]}


def listed_pod_gone_then_other_change(live: Live, obj: Obj) -> None:
    """A name already in podsToDelete is not looked up again, even once its pod is gone."""
    live.pod("cs-gone", obj["metadata"]["uid"])
    obj["spec"]["scaleStrategy"] = {"podsToDelete": ["cs-gone"]}
    updated = live.update(obj)
    live.delete_pod("cs-gone")
    updated["spec"]["replicas"] = 3
    obj.clear()
    obj.update(updated)


_IN_PLACE = "only container images may change when"

UPDATES = [
    # CloneSet
    Update(
        "selector change",
        cloneset(),
        setting("spec.selector", {"matchExpressions": [expression("In", ["demo"])]}),
        f"spec.selector: {CS_IMMUTABLE}",
    ),
    Update(
        "volumeClaimTemplates change (allowed since OpenKruise v1.4: new pods only)",
        cloneset(),
        setting("spec.volumeClaimTemplates", [claim()]),
    ),
    Update(
        "change of every mutable field",
        cloneset(),
        settings(
            {
                "spec.replicas": 4,
                "spec.minReadySeconds": 5,
                "spec.progressDeadlineSeconds": 600,
                "spec.revisionHistoryLimit": 3,
                "spec.lifecycle": {"preDelete": {"finalizersHandler": ["x.io/hold"]}},
                "spec.updateStrategy.type": "InPlaceIfPossible",
                f"{C0}.imagePullPolicy": "IfNotPresent",
            }
        ),
    ),
    Update(
        "a new create-rule error (partition 120%)",
        cloneset(),
        setting(f"{US}.partition", "120%"),
        f'{US}.partition: Invalid value: "120%": must be between 0% and 100%',
    ),
    Update(
        "InPlaceOnly: imagePullPolicy change",
        cs_strategy(type="InPlaceOnly"),
        setting(f"{C0}.imagePullPolicy", "Never"),
        f"{C0}.imagePullPolicy: Forbidden: {_IN_PLACE} {US}.type is InPlaceOnly "
        "(this is a replace of /containers/0/imagePullPolicy)",
    ),
    Update(
        "InPlaceOnly: an added env var",
        cs_strategy(type="InPlaceOnly"),
        setting(f"{C0}.env", [{"name": "A", "value": "1"}]),
        f"{C0}.env: Forbidden: {_IN_PLACE} {US}.type is InPlaceOnly "
        "(this is a add of /containers/0/env)",
    ),
    Update(
        "InPlaceOnly: an added container",
        cs_strategy(type="InPlaceOnly"),
        setting(f"{POD}.containers[1]", container("side")),
        f"{POD}.containers[1]: Forbidden: {_IN_PLACE} {US}.type is InPlaceOnly "
        "(this is a add of /containers/1)",
    ),
    Update(
        "InPlaceOnly: a removed command",
        with_field(cs_strategy(type="InPlaceOnly"), f"{C0}.command", ["sleep", "1d"]),
        setting(f"{C0}.command", DELETE),
        f"{C0}.command: Forbidden: {_IN_PLACE} {US}.type is InPlaceOnly "
        "(this is a remove of /containers/0/command)",
    ),
    Update(
        "InPlaceOnly: image change",
        cs_strategy(type="InPlaceOnly"),
        setting(f"{C0}.image", "nginx:1.26"),
    ),
    Update(
        "InPlaceOnly: template label and annotation change",
        cs_strategy(type="InPlaceOnly"),
        settings(
            {
                "spec.template.metadata.labels": {**DEFAULT_LABELS, "tier": "web"},
                "spec.template.metadata.annotations": {"note": "x"},
            }
        ),
    ),
    Update(
        "podsToDelete naming a missing pod",
        cloneset(),
        deleting("cs-ghost"),
        'spec.scaleStrategy.podsToDelete: Invalid value: "cs-ghost": pod cs-ghost does not exist',
    ),
    Update(
        "podsToDelete naming a pod without an owner",
        cloneset(),
        pod_then_delete("cs-lonely", owned=False),
        'spec.scaleStrategy.podsToDelete: Invalid value: "cs-lonely": pod cs-lonely is not '
        "controlled by this CloneSet",
    ),
    Update(
        "podsToDelete naming another controller's pod",
        cloneset(),
        pod_then_delete("cs-foreign", owned=True, other_owner=True),
        'spec.scaleStrategy.podsToDelete: Invalid value: "cs-foreign": pod cs-foreign is not '
        "controlled by this CloneSet",
    ),
    Update(
        "podsToDelete naming a terminating pod",
        cloneset(),
        terminating_pod_then_delete,
        'spec.scaleStrategy.podsToDelete: Invalid value: "cs-dying": pod cs-dying is already '
        "terminating",
    ),
    Update(
        "podsToDelete repeating a name",
        cloneset(),
        deleting("cs-x1", "cs-x1"),
        'spec.scaleStrategy.podsToDelete: Invalid value: ["cs-x1","cs-x1"]: '
        "duplicated items [cs-x1]",
    ),
    Update(
        "podsToDelete naming its own pod",
        cloneset(),
        pod_then_delete("cs-mine", owned=True),
    ),
    Update(
        "podsToDelete keeping a name whose pod is gone",
        cloneset(),
        listed_pod_gone_then_other_change,
    ),
    # Advanced StatefulSet
    *[
        Update(
            f"{field} change",
            sts(version),
            setting(f"spec.{field}", value),
            f"spec.{field}: {STS_IMMUTABLE}",
        )
        for version in ("v1alpha1", "v1beta1")
        for field, value in (
            ("serviceName", "other"),
            ("podManagementPolicy", "Parallel"),
            ("selector", {"matchExpressions": [expression("In", ["demo"])]}),
        )
    ],
    *[
        Update(
            "revisionHistoryLimit and volumeClaimTemplates change (mutable since OpenKruise v1)",
            sts(version),
            settings({"spec.revisionHistoryLimit": 3, "spec.volumeClaimTemplates": [claim()]}),
        )
        for version in ("v1alpha1", "v1beta1")
    ],
    *[
        Update(
            "replicas, updateStrategy and template change",
            sts(version),
            settings(
                {
                    "spec.replicas": 4,
                    f"{RU}.partition": 2,
                    f"{C0}.imagePullPolicy": "IfNotPresent",
                }
            ),
        )
        for version in ("v1alpha1", "v1beta1")
    ],
    Update(
        "reserveOrdinals change",
        sts(replicas=3),
        setting("spec.reserveOrdinals", [0, 2]),
    ),
    Update(
        "a new create-rule error (reversed reserved range)",
        sts(replicas=3),
        setting("spec.reserveOrdinals", ["3-2"]),
        'spec.reserveOrdinals[0]: Invalid value: "3-2": the start of a range must not be '
        "greater than its end",
    ),
    *[
        Update(
            "InPlaceOnly: imagePullPolicy change",
            in_place_sts(version),
            setting(f"{C0}.imagePullPolicy", "Never"),
            f"{C0}.imagePullPolicy: Forbidden: {_IN_PLACE} {RU}.podUpdatePolicy is InPlaceOnly "
            "(this is a replace of /containers/0/imagePullPolicy)",
        )
        for version in ("v1alpha1", "v1beta1")
    ],
    *[
        Update(
            "InPlaceOnly: image change",
            in_place_sts(version),
            setting(f"{C0}.image", "nginx:1.26"),
        )
        for version in ("v1alpha1", "v1beta1")
    ],
    # BroadcastJob
    Update(
        "template change",
        broadcastjob(),
        setting(f"{C0}.image", "nginx:1.26"),
        "spec.template: Forbidden: field is immutable: every pod of a BroadcastJob runs the "
        "template it was created with",
    ),
    Update(
        "parallelism, paused and policy change",
        broadcastjob(),
        settings(
            {
                "spec.parallelism": "50%",
                "spec.paused": True,
                "spec.completionPolicy": {"type": "Always", "ttlSecondsAfterFinished": 60},
                "spec.failurePolicy": {"type": "Continue"},
            }
        ),
    ),
    Update(
        "a new create-rule error (parallelism 120%)",
        broadcastjob(),
        setting("spec.parallelism", "120%"),
        'spec.parallelism: Invalid value: "120%": must be between 0% and 100%',
    ),
    # AdvancedCronJob
    Update(
        "template change",
        advancedcronjob(),
        setting(f"{JOB_POD}.containers[0].image", "nginx:1.26"),
        f"spec.template: {ACJ_IMMUTABLE}",
    ),
    Update(
        "change of every mutable field",
        advancedcronjob(),
        settings(
            {
                "spec.schedule": "@daily",
                "spec.timeZone": "Asia/Tokyo",
                "spec.concurrencyPolicy": "Forbid",
                "spec.successfulJobsHistoryLimit": 0,
                "spec.failedJobsHistoryLimit": 0,
                "spec.startingDeadlineSeconds": 30,
                "spec.paused": True,
            }
        ),
    ),
    Update(
        "a new create-rule error (schedule)",
        advancedcronjob(),
        setting("spec.schedule", "61 * * * *"),
        'spec.schedule: Invalid value: "61 * * * *": minute field 61: 61 is above the maximum 59',
    ),
]


@pytest.mark.parametrize("update", [u.param() for u in UPDATES])
def test_update_rule(kruise_plane: ControlPlane, kruise_namespace: str, update: Update) -> None:
    live = Live(kruise_plane, kruise_namespace)
    obj = create(kruise_plane.rest, kruise_namespace, update.before)
    update.change(live, obj)
    status, answer = put_rebased(kruise_plane, item_path(obj, kruise_namespace), obj)
    if update.expected:
        assert_refused(status, answer, obj, update.expected, update.server)
    else:
        assert status == 200, f"HTTP {status}: {answer.get('message', answer)}"


IDENTITY = [
    ("metadata.uid", "00000000-0000-4000-8000-000000000000", 409, "UID in precondition"),
    ("metadata.name", "other", 400, "does not match the name on the URL"),
    ("metadata.namespace", "default", 400, "does not match the namespace sent on the request"),
]


@pytest.mark.parametrize(
    ("field", "value", "status", "expected"),
    IDENTITY,
    ids=[f"{i[0]} change is refused {SERVER}" for i in IDENTITY],
)
@pytest.mark.parametrize("kind", ["cloneset", "statefulset", "broadcastjob", "advancedcronjob"])
def test_identity_change_never_reaches_the_webhook(
    kruise_plane: ControlPlane,
    kruise_namespace: str,
    kind: str,
    field: str,
    value: str,
    status: int,
    expected: str,
) -> None:
    """The immutable name, namespace and uid rule: the API server refuses these changes
    (409 or 400, no field path) before any admission webhook sees them."""
    build = {
        "cloneset": cloneset,
        "statefulset": sts,
        "broadcastjob": broadcastjob,
        "advancedcronjob": advancedcronjob,
    }[kind]
    obj = create(kruise_plane.rest, kruise_namespace, build())
    path = item_path(obj, kruise_namespace)
    answered, answer = put_rebased(kruise_plane, path, with_field(obj, field, value))
    message = str(answer.get("message", answer))
    assert answered == status, f"HTTP {answered}: {message}"
    assert expected in message, message
    assert "admission webhook" not in message, message


CARRIER = "apps.kruise.io/v1beta1-fields"


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("not json", "not JSON"),
        ("[1]", "must be a JSON object"),
        ('{"overrides":{"spec":{"converted":1}}}', "overrides[spec]: not a JSON pointer"),
    ],
    ids=["not JSON", "not an object", "not a pointer"],
)
def test_bad_carrier_annotation_is_refused(
    kruise_plane: ControlPlane, kruise_namespace: str, annotation: str, expected: str
) -> None:
    """A v1alpha1 StatefulSet whose carrier annotation cannot convert to v1beta1: the
    mutating webhook, which converts first, refuses it, naming the annotation."""
    obj = with_field(sts("v1alpha1"), "metadata.annotations", {CARRIER: annotation})
    status, answer = send(kruise_plane, "POST", collection(obj, kruise_namespace), obj)
    message = str(answer.get("message", answer))
    assert status == 422, f"HTTP {status}: {message}"
    assert message.startswith(
        'admission webhook "mstatefulset.kb.io" denied the request: '
        f"metadata.annotations[{CARRIER}]: Invalid value: "
    ), message
    assert expected in message, message
