"""kruise-py against OpenKruise v1.9.0's Go code, on generated templates and pods.

Each test draws cases with hypothesis and asks both sides the same question through
hack/difftest (see conftest.py):

- the typed template: the JSON Go writes after decoding a template into
  ``v1.PodTemplateSpec`` (``typed_pod_template``);
- the revisions a CloneSet and an Advanced StatefulSet build for a template: data bytes,
  hash, name, labels and annotations (``kruise.util.revision.new_revision``);
- the template and claim templates after defaulting, as on create
  (``default_cloneset_v1beta1``, ``default_statefulset``);
- the in-place update spec between two templates' CloneSet revisions
  (``spec_from_revisions``): whether the update can be in place, which images change,
  the metadata patch;
- whether an in-place update has completed (``check_completed``).

Answers must be equal except where ``ALLOWED_DIFFERENCES`` names a difference that
docs/architecture.md lists as deliberate; the summary at the end of the run counts both.
A case Go refuses to decode (an invalid quantity, say) is not compared: no controller
sees such an object, as the webhook and the API server refuse it first.

``DIFFTEST_EXAMPLES`` sets the number of generated cases per test (default 1000).
"""

from __future__ import annotations

import json
import os
import string
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kruise.apis.apps.defaults import default_cloneset_v1beta1, default_statefulset
from kruise.apis.apps.defaults.typed import typed_claim_template, typed_pod_template
from kruise.util.inplaceupdate import check_completed, same_image, spec_from_revisions
from kruise.util.revision import go_json, new_revision

EXAMPLES = int(os.environ.get("DIFFTEST_EXAMPLES", "1000"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

# --- documented differences ----------------------------------------------------------


def _container_case(case: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A one-container completion case's record, status and spec image."""
    pod, name = case["pod"], case["container"]
    record = json.loads(pod["metadata"]["annotations"][STATE_KEY])["lastContainerStatuses"][name]
    status = next(s for s in pod["status"]["containerStatuses"] if s["name"] == name)
    spec = next(c["image"] for c in pod["spec"]["containers"] if c["name"] == name)
    return record, status, spec


def _in_unchanged_id_branch(case: dict[str, Any]) -> bool:
    record, status, _spec = _container_case(case)
    return status["imageID"] in ("", record["imageID"])


def _completion_records_container_id(case: dict[str, Any]) -> bool:
    """kruise-py's state records each container's ``containerID`` and, when the image ID
    did not change, also wants the container recreated (OpenKruise #635). Go ignores the
    recorded ``containerID``."""
    record, _status, _spec = _container_case(case)
    return _in_unchanged_id_branch(case) and "containerID" in record


def _completion_empty_image_id(case: dict[str, Any]) -> bool:
    """An empty reported imageID is the kubelet's placeholder for a container the
    runtime has not created; Go counts it as a new image ID, kruise-py as no evidence."""
    record, status, _spec = _container_case(case)
    return status["imageID"] == "" and record["imageID"] != ""


def _completion_normalised_image(case: dict[str, Any]) -> bool:
    """With an unchanged imageID Go appends ``:latest`` to a spec image without a colon
    and compares strings; kruise-py compares normalised references, as containerd
    reports ``docker.io/library/nginx:latest`` for ``nginx``."""
    _record, status, spec = _container_case(case)
    go_spec = spec if ":" in spec else f"{spec}:latest"
    return _in_unchanged_id_branch(case) and (go_spec == status["image"]) != same_image(
        spec, status["image"]
    )


def _in_place_env_from_metadata(case: dict[str, Any]) -> bool:
    """Go (``InPlaceUpdateEnvFromMetadata``) takes a label or annotation a container's env
    refers to out of the metadata patch, for kruise-daemon to restart that container;
    kruise-py has no kruise-daemon and patches it like any other label."""
    go = case["go"] or {}
    return bool(go.get("containerRefMetadata") or go.get("updateEnvFromMetadata"))


def _in_place_vanished_map(case: dict[str, Any]) -> bool:
    """When a template's labels or annotations go altogether, Go's patch says
    ``labels: null``, which removes every label of the pod, other controllers' too;
    kruise-py removes the template's keys one by one."""
    patch = ((case["go"] or {}).get("metaDataPatch") or {}).get("metadata") or {}
    return any(key in patch and patch[key] is None for key in ("labels", "annotations"))


def _per_key(go_patch: dict[str, Any] | None, old: dict[str, Any]) -> dict[str, Any] | None:
    """Go's metadata patch with each ``null`` map spelled as its old keys' removals."""
    if not go_patch:
        return go_patch
    meta = dict(go_patch["metadata"])
    old_meta = typed_pod_template(old)["metadata"]
    for key in ("labels", "annotations"):
        if key in meta and meta[key] is None:
            meta[key] = dict.fromkeys(old_meta[key])
    return {"metadata": meta}


# kind -> [(name, predicate on the case, reason)]; each is a row of the differences
# table in docs/architecture.md.
ALLOWED_DIFFERENCES: dict[str, list[tuple[str, Callable[[dict[str, Any]], bool], str]]] = {
    "inplace": [
        (
            "env-from-metadata",
            _in_place_env_from_metadata,
            "in-place update of labels an env refers to: no kruise-daemon to restart containers",
        ),
        (
            "vanished-map",
            _in_place_vanished_map,
            "in-place metadata patch: a vanished labels or annotations map is removed by key",
        ),
    ],
    "completed": [
        (
            "recreated-container",
            _completion_records_container_id,
            "in-place update completion (#635): an unchanged imageID needs a new containerID",
        ),
        (
            "empty-image-id",
            _completion_empty_image_id,
            "in-place update completion: an empty imageID is not a new image",
        ),
        (
            "normalised-image",
            _completion_normalised_image,
            "in-place update completion: images compared in normalised form (containerd's)",
        ),
    ],
}


def explained(kind: str, case: dict[str, Any]) -> bool:
    """True when a documented difference explains a disagreement (not counted)."""
    return any(predicate(case) for _name, predicate, _reason in ALLOWED_DIFFERENCES.get(kind, []))


def allowed(peer: Any, kind: str, case: dict[str, Any]) -> bool:
    """True (and counted) when a documented difference explains a disagreement."""
    if explained(kind, case):
        peer.allowed[kind] += 1
        return True
    return False


# --- strategies --------------------------------------------------------------------------

NAMES = st.sampled_from(["main", "sidecar", "app", "web", "log-agent", "a", "b"])
KEYS = st.sampled_from(["app", "tier", "a/b", "example.com/x", "version", "~weird", "z"])
TEXT = st.text(alphabet=string.ascii_letters + string.digits + "-_./<>&é", max_size=12)
VALUES = st.one_of(st.just(""), TEXT)

QUANTITY_TEXT = st.one_of(
    st.sampled_from(
        [
            "0",
            "1",
            "100m",
            "1000m",
            "1500m",
            "0.5",
            "1.5",
            "2",
            "250m",
            "1Gi",
            "1024Mi",
            "512Mi",
            "0.5Gi",
            "1.5Gi",
            "1536Mi",
            "100Ki",
            "1k",
            "1000",
            "1e3",
            "1E3",
            "2e-3",
            "1M",
            "1G",
            "1T",
            "1P",
            "1E",
            "1n",
            "1u",
            "0.1m",
            "0.0001",
            "00100m",
            "+1",
            ".5",
            "1.",
            "12345678901234567890",
            "0.0000000001",
            "1.23456789012345678901",
            "7Ki",
            "3Gi",
            "0Ki",
            "-1",
            "1e21",
            "999Mi",
            "1023",
            "2048",
            "128974848",
            "129e6",
            "129M",
            "123Mi",
            "0.000000001",
        ]
    ),
    st.builds(
        lambda n, s: f"{n}{s}",
        st.integers(0, 10**7),
        st.sampled_from(["", "m", "k", "M", "G", "Ki", "Mi", "Gi", "n", "u", "e3", "e-2"]),
    ),
    st.builds(
        lambda a, b, s: f"{a}.{b}{s}",
        st.integers(0, 999),
        st.integers(0, 99999),
        st.sampled_from(["", "m", "k", "Mi", "Gi", "Ki"]),
    ),
)
QUANTITY = st.one_of(QUANTITY_TEXT, st.integers(0, 10**6))
RESOURCE_LIST = st.dictionaries(
    st.sampled_from(["cpu", "memory", "ephemeral-storage", "nvidia.com/gpu"]),
    QUANTITY,
    max_size=3,
)

IMAGE = st.one_of(
    st.sampled_from(
        [
            "nginx",
            "nginx:latest",
            "nginx:1.25",
            "nginx:alpine",
            "busybox",
            "Nginx",
            "reg.example.com:5000/team/app:v2",
            "reg.example.com/app",
            "localhost/app:1",
            "localhost:5000/app",
            "docker.io/library/nginx:latest",
            "index.docker.io/x/y",
            "app@sha256:" + "a" * 64,
            "app:v1@sha256:" + "b" * 64,
            "app@sha256:abc",
            "app@md5:" + "c" * 32,
            "a" * 64,
            "UPPER/app",
            "my_reg.io/app",
            "app:",
            ":latest",
            "",
            "a//b",
            "ghcr.io/org/img:sha-1234567",
            "[::1]:5000/app:1",
            "app:" + "t" * 129,
        ]
    ),
    st.builds(lambda a, b: f"{a}:{b}", st.sampled_from(["app", "x/y"]), TEXT),
)


def maybe(strategy: st.SearchStrategy[Any], *, null: bool = True) -> st.SearchStrategy[Any]:
    """A field value, or the field left out (``...``), or null."""
    options = [st.just(...), strategy]
    if null:
        options.append(st.none())
    return st.one_of(*options)


def obj(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """An object whose fields are each present or not (``maybe`` gives ``...`` to omit)."""

    def build(values: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in values.items() if v is not ...}

    return st.fixed_dictionaries(fields).map(build)


SMALL_INT = st.integers(0, 100)
PORT = st.one_of(st.integers(1, 65535), st.sampled_from(["http", "metrics"]))
HTTP_GET = obj(
    path=maybe(st.sampled_from(["", "/", "/healthz"])),
    port=PORT,
    host=maybe(st.sampled_from(["", "localhost"])),
    scheme=maybe(st.sampled_from(["", "HTTP", "HTTPS"])),
    httpHeaders=maybe(st.lists(obj(name=st.just("X"), value=VALUES), max_size=1)),
)
HANDLER = st.one_of(
    obj(httpGet=HTTP_GET),
    obj(exec=obj(command=maybe(st.lists(TEXT, max_size=2)))),
    obj(tcpSocket=obj(port=PORT)),
    obj(sleep=obj(seconds=SMALL_INT)),
)
PROBE = st.builds(
    lambda handler, extra: {**handler, **extra},
    st.one_of(HANDLER.filter(lambda h: "sleep" not in h), obj(grpc=obj(port=st.integers(1, 9)))),
    obj(
        timeoutSeconds=maybe(st.sampled_from([0, 1, 5])),
        periodSeconds=maybe(st.sampled_from([0, 10, 3])),
        successThreshold=maybe(st.sampled_from([0, 1])),
        failureThreshold=maybe(st.sampled_from([0, 3, 6])),
        initialDelaySeconds=maybe(SMALL_INT),
        terminationGracePeriodSeconds=maybe(SMALL_INT),
    ),
)
ENV_SOURCE = st.one_of(
    obj(
        fieldRef=obj(
            fieldPath=st.sampled_from(["metadata.name", "metadata.labels['app']"]),
            apiVersion=maybe(st.sampled_from(["", "v1"])),
        )
    ),
    obj(resourceFieldRef=obj(resource=st.just("limits.cpu"), divisor=maybe(QUANTITY_TEXT))),
    obj(secretKeyRef=obj(name=maybe(TEXT), key=st.just("k"), optional=maybe(st.booleans()))),
    obj(configMapKeyRef=obj(name=maybe(TEXT), key=st.just("k"))),
)
ENV = obj(name=st.sampled_from(["A", "B", "POD"]), value=maybe(VALUES), valueFrom=maybe(ENV_SOURCE))
RESOURCES = st.one_of(
    st.just({}),
    obj(limits=maybe(RESOURCE_LIST), requests=maybe(RESOURCE_LIST)),
    obj(claims=maybe(st.lists(obj(name=st.just("gpu")), max_size=1))),
)
UNKNOWN = st.dictionaries(st.sampled_from(["unknownField", "Name", "x-extra"]), VALUES, max_size=1)


def container(*, ephemeral: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {
        "name": NAMES,
        "image": maybe(IMAGE),
        "imagePullPolicy": maybe(st.sampled_from(["", "Always", "IfNotPresent", "Never"])),
        "command": maybe(st.lists(TEXT, max_size=2)),
        "args": maybe(st.lists(VALUES, max_size=2)),
        "workingDir": maybe(VALUES),
        "ports": maybe(
            st.lists(
                obj(
                    containerPort=st.integers(1, 9000),
                    name=maybe(st.sampled_from(["", "http"])),
                    protocol=maybe(st.sampled_from(["", "TCP", "UDP"])),
                    hostPort=maybe(st.sampled_from([0, 80])),
                ),
                max_size=2,
            )
        ),
        "env": maybe(st.lists(ENV, max_size=3)),
        "resources": maybe(RESOURCES),
        "volumeMounts": maybe(
            st.lists(obj(name=NAMES, mountPath=st.just("/d"), readOnly=maybe(st.booleans()))),
        ),
        "livenessProbe": maybe(PROBE),
        "readinessProbe": maybe(PROBE),
        "startupProbe": maybe(PROBE),
        "lifecycle": maybe(obj(postStart=maybe(HANDLER), preStop=maybe(HANDLER))),
        "terminationMessagePath": maybe(st.sampled_from(["", "/tmp/t"])),
        "terminationMessagePolicy": maybe(st.sampled_from(["", "File"])),
        "securityContext": maybe(
            obj(privileged=maybe(st.booleans()), runAsUser=maybe(st.sampled_from([0, 1000])))
        ),
        "stdin": maybe(st.booleans()),
        "tty": maybe(st.booleans()),
    }
    if ephemeral:
        fields["targetContainerName"] = maybe(NAMES)
    return st.builds(lambda c, u: {**u, **c}, obj(**fields), UNKNOWN)


KEY_TO_PATH = st.lists(
    obj(key=st.just("k"), path=st.just("p"), mode=maybe(st.sampled_from([0, 420]))), max_size=2
)
DOWNWARD_ITEMS = st.lists(
    obj(
        path=st.just("labels"),
        fieldRef=maybe(obj(fieldPath=st.just("metadata.labels"), apiVersion=maybe(st.just("")))),
    ),
    max_size=2,
)
VOLUME_SOURCE = st.one_of(
    st.just({}),
    obj(
        emptyDir=obj(medium=maybe(st.sampled_from(["", "Memory"])), sizeLimit=maybe(QUANTITY_TEXT))
    ),
    obj(hostPath=obj(path=st.just("/var/log"), type=maybe(st.sampled_from(["", "Directory"])))),
    obj(
        secret=obj(
            secretName=maybe(TEXT),
            items=maybe(KEY_TO_PATH),
            defaultMode=maybe(st.sampled_from([0, 256, 420])),
            optional=maybe(st.booleans()),
        )
    ),
    obj(configMap=obj(name=maybe(TEXT), items=maybe(KEY_TO_PATH), defaultMode=maybe(st.just(511)))),
    obj(downwardAPI=obj(items=maybe(DOWNWARD_ITEMS), defaultMode=maybe(st.just(420)))),
    obj(
        projected=obj(
            sources=maybe(
                st.lists(
                    st.one_of(
                        obj(
                            serviceAccountToken=obj(
                                path=st.just("t"),
                                expirationSeconds=maybe(st.sampled_from([600, 3600])),
                                audience=maybe(VALUES),
                            )
                        ),
                        obj(downwardAPI=obj(items=maybe(DOWNWARD_ITEMS))),
                        obj(configMap=obj(name=maybe(TEXT), items=maybe(KEY_TO_PATH))),
                    ),
                    max_size=2,
                )
            ),
            defaultMode=maybe(st.just(420)),
        )
    ),
    obj(persistentVolumeClaim=obj(claimName=st.just("data"), readOnly=maybe(st.booleans()))),
    obj(
        iscsi=obj(
            targetPortal=st.just("10.0.0.1:3260"),
            iqn=st.just("iqn.x"),
            lun=st.just(0),
            iscsiInterface=maybe(st.sampled_from(["", "default"])),
            fsType=maybe(VALUES),
            readOnly=maybe(st.booleans()),
        )
    ),
    obj(
        rbd=obj(
            monitors=st.just(["m"]),
            image=st.just("i"),
            pool=maybe(VALUES),
            user=maybe(VALUES),
            keyring=maybe(VALUES),
        )
    ),
    obj(
        azureDisk=obj(
            diskName=st.just("d"),
            diskURI=st.just("u"),
            cachingMode=maybe(VALUES),
            fsType=maybe(VALUES),
            kind=maybe(VALUES),
            readOnly=maybe(st.booleans()),
        )
    ),
    obj(
        scaleIO=obj(
            gateway=st.just("g"),
            system=st.just("s"),
            secretRef=obj(name=st.just("x")),
            storageMode=maybe(VALUES),
            fsType=maybe(VALUES),
        )
    ),
    obj(nfs=obj(server=st.just("s"), path=st.just("/p"))),
    obj(
        csi=obj(
            driver=st.just("d"), volumeAttributes=maybe(st.dictionaries(KEYS, VALUES, max_size=2))
        )
    ),
    obj(
        ephemeral=obj(
            volumeClaimTemplate=maybe(
                obj(
                    spec=obj(
                        accessModes=maybe(st.just(["ReadWriteOnce"])),
                        resources=maybe(obj(requests=maybe(RESOURCE_LIST))),
                    )
                )
            )
        )
    ),
)
VOLUME = st.builds(lambda name, source: {"name": name, **source}, NAMES, VOLUME_SOURCE)

REQUIREMENT = obj(key=KEYS, operator=st.just("In"), values=maybe(st.lists(VALUES, max_size=2)))
TERM = obj(matchExpressions=maybe(st.lists(REQUIREMENT, max_size=1)))
AFFINITY = obj(
    nodeAffinity=maybe(
        obj(
            requiredDuringSchedulingIgnoredDuringExecution=maybe(
                obj(nodeSelectorTerms=st.lists(TERM, max_size=1))
            )
        )
    )
)
TOLERATION = obj(
    key=maybe(KEYS),
    operator=maybe(st.sampled_from(["", "Exists"])),
    effect=maybe(st.sampled_from(["", "NoSchedule"])),
    tolerationSeconds=maybe(st.just(30)),
)
POD_SECURITY = obj(runAsNonRoot=maybe(st.booleans()), fsGroup=maybe(st.just(2000)))
POD_SPEC = obj(
    containers=st.lists(container(), min_size=1, max_size=3),
    initContainers=maybe(st.lists(container(), max_size=2)),
    ephemeralContainers=maybe(st.lists(container(ephemeral=True), max_size=1)),
    volumes=maybe(st.lists(VOLUME, max_size=3)),
    restartPolicy=maybe(st.sampled_from(["", "Always", "Never"])),
    dnsPolicy=maybe(st.sampled_from(["", "ClusterFirst", "Default"])),
    terminationGracePeriodSeconds=maybe(st.sampled_from([0, 30, 60])),
    schedulerName=maybe(st.sampled_from(["", "default-scheduler", "other"])),
    securityContext=maybe(st.one_of(st.just({}), POD_SECURITY)),
    hostNetwork=maybe(st.booleans()),
    nodeSelector=maybe(st.dictionaries(KEYS, VALUES, max_size=2)),
    serviceAccountName=maybe(VALUES),
    tolerations=maybe(st.lists(TOLERATION, max_size=2)),
    affinity=maybe(AFFINITY),
    readinessGates=maybe(st.lists(obj(conditionType=st.just("InPlaceUpdateReady")), max_size=1)),
    overhead=maybe(RESOURCE_LIST),
    enableServiceLinks=maybe(st.booleans()),
    priority=maybe(st.sampled_from([0, 1000])),
)
METADATA = obj(
    labels=maybe(st.dictionaries(KEYS, VALUES, max_size=3)),
    annotations=maybe(st.dictionaries(KEYS, VALUES, max_size=2)),
    finalizers=maybe(
        st.lists(st.sampled_from(["example.com/a", "example.com/b"]), max_size=2, unique=True)
    ),
    creationTimestamp=maybe(
        st.sampled_from(["2024-05-01T10:00:00Z", "2024-05-01T12:00:00.5+02:00"])
    ),
    name=maybe(VALUES),
)
TEMPLATE = st.builds(
    lambda meta, spec, unknown: {"metadata": meta, "spec": spec, **unknown},
    METADATA,
    POD_SPEC,
    st.dictionaries(st.just("status"), st.just({"phase": "Running"}), max_size=1),
)
CLAIM = obj(
    metadata=obj(name=NAMES, labels=maybe(st.dictionaries(KEYS, VALUES, max_size=1))),
    spec=obj(
        accessModes=maybe(st.lists(st.sampled_from(["ReadWriteOnce", "ReadOnlyMany"]), max_size=2)),
        storageClassName=maybe(VALUES),
        volumeMode=maybe(st.sampled_from(["Filesystem", "Block"])),
        resources=maybe(obj(requests=maybe(RESOURCE_LIST), limits=maybe(RESOURCE_LIST))),
    ),
    status=maybe(
        obj(phase=maybe(st.sampled_from(["", "Pending", "Bound"])), capacity=maybe(RESOURCE_LIST))
    ),
)
CLAIMS = st.lists(CLAIM, max_size=3)


# --- owners --------------------------------------------------------------------------------


def owner(kind: str, template: dict[str, Any], claims: list[Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"template": template}
    if claims is not None:
        spec["volumeClaimTemplates"] = claims
    return {
        "apiVersion": "apps.kruise.io/v1beta1",
        "kind": kind,
        "metadata": {"name": "web", "namespace": "default", "uid": "uid-1"},
        "spec": spec,
    }


def as_go_revision(revision: dict[str, Any]) -> dict[str, Any]:
    meta = revision["metadata"]
    return {
        "name": meta["name"],
        "hash": meta["labels"]["controller.kubernetes.io/hash"],
        "data": go_json(revision["data"]).decode(),
        "labels": meta["labels"],
        "annotations": meta.get("annotations") or {},
    }


# --- the tests ---------------------------------------------------------------------------


@SETTINGS
@given(template=TEMPLATE)
def test_typed_templates_are_what_go_writes(go_peer: Any, template: dict[str, Any]) -> None:
    answer = go_peer.ask("typed", template=template)
    if "error" in answer:
        go_peer.refused["typed"] += 1
        return
    go_peer.compared["typed"] += 1
    mine = typed_pod_template(template)
    # Same values, and the same field order as Go's struct encoding.
    assert json.dumps(mine) == json.dumps(answer["template"])


@SETTINGS
@given(template=TEMPLATE, claims=CLAIMS, collision=st.sampled_from([None, 0, 1, 7]))
def test_revisions_are_named_and_hashed_as_go_does(
    go_peer: Any, template: dict[str, Any], claims: list[Any], collision: int | None
) -> None:
    answer = go_peer.ask(
        "revision", template=template, claimTemplates=claims, name="web", collisionCount=collision
    )
    if "error" in answer:
        go_peer.refused["revision"] += 1
        return
    go_peer.compared["revision"] += 1
    cloneset = new_revision(owner("CloneSet", template, claims), 1, collision)
    assert as_go_revision(cloneset) == answer["cloneset"]
    statefulset = new_revision(owner("StatefulSet", template, claims), 1, collision)
    assert as_go_revision(statefulset) == answer["statefulset"]


@SETTINGS
@given(template=TEMPLATE, claims=CLAIMS)
def test_defaulted_templates_are_what_go_defaults(
    go_peer: Any, template: dict[str, Any], claims: list[Any]
) -> None:
    answer = go_peer.ask("defaults", template=template, claimTemplates=claims)
    if "error" in answer:
        go_peer.refused["defaults"] += 1
        return
    go_peer.compared["defaults"] += 1
    for default, prefix in ((default_cloneset_v1beta1, ""), (default_statefulset, "statefulset")):
        spec = default(owner("X", template, claims))["spec"]
        go_template = answer[f"{prefix}Template" if prefix else "template"]
        go_claims = answer[f"{prefix}ClaimTemplates" if prefix else "claimTemplates"]
        assert typed_pod_template(spec["template"]) == go_template
        assert [typed_claim_template(c) for c in spec["volumeClaimTemplates"]] == (go_claims or [])


def _change(base: dict[str, Any], draw: Any) -> dict[str, Any]:
    """``base`` with a few of the changes users make between revisions."""
    new = json.loads(json.dumps(base))
    meta, spec = new.setdefault("metadata", {}), new["spec"]
    for change in draw(st.lists(st.sampled_from(list(CHANGES)), min_size=1, max_size=3)):
        CHANGES[change](meta, spec, draw)
    return new


def _set_image(meta: dict[str, Any], spec: dict[str, Any], draw: Any) -> None:
    c = draw(st.sampled_from(spec["containers"]))
    c["image"] = draw(IMAGE)


def _set_label(meta: dict[str, Any], spec: dict[str, Any], draw: Any) -> None:
    field = draw(st.sampled_from(["labels", "annotations"]))
    labels = meta.get(field) if isinstance(meta.get(field), dict) else {}
    meta[field] = labels
    key = draw(KEYS)
    if key in labels and draw(st.booleans()):
        del labels[key]
    else:
        labels[key] = draw(VALUES)


CHANGES: dict[str, Callable[[dict[str, Any], dict[str, Any], Any], None]] = {
    "image": _set_image,
    "label": _set_label,
    "finalizer": lambda meta, spec, draw: meta.__setitem__(
        "finalizers",
        draw(
            st.lists(st.sampled_from(["example.com/a", "example.com/c"]), max_size=2, unique=True)
        ),
    ),
    "env": lambda meta, spec, draw: spec["containers"][0].__setitem__(
        "env", [{"name": "X", "value": "1"}]
    ),
    "resources": lambda meta, spec, draw: spec["containers"][0].__setitem__(
        "resources", draw(RESOURCES)
    ),
    "drop-empty-resources": lambda meta, spec, draw: [
        c.pop("resources", None) for c in spec["containers"] if c.get("resources") == {}
    ],
    "container": lambda meta, spec, draw: spec["containers"].append(
        {"name": "extra", "image": "x"}
    ),
    "pull-policy": lambda meta, spec, draw: spec["containers"][0].__setitem__(
        "imagePullPolicy", "IfNotPresent"
    ),
}


@SETTINGS
@given(base=TEMPLATE, data=st.data())
def test_in_place_update_specs_are_what_go_calculates(
    go_peer: Any, base: dict[str, Any], data: st.DataObject
) -> None:
    new = _change(base, data.draw)
    answer = go_peer.ask("inplace", old=base, new=new, name="web")
    if "error" in answer:
        go_peer.refused["inplace"] += 1
        return
    go_peer.compared["inplace"] += 1
    old_revision = new_revision(owner("CloneSet", base), 1, None)
    new_revision_ = new_revision(owner("CloneSet", new), 2, None)
    assert (old_revision["metadata"]["name"], new_revision_["metadata"]["name"]) == (
        answer["oldRevision"],
        answer["newRevision"],
    )
    mine = spec_from_revisions(old_revision, new_revision_)
    go = answer["spec"]
    case = {"old": base, "new": new, "go": go}
    if (mine is None) != (go is None) and allowed(go_peer, "inplace", case):
        return
    assert (mine is None) == (go is None), case
    if mine is None or go is None:
        return
    assert mine.revision == go["revision"]
    assert dict(mine.container_images) == (go["containerImages"] or {})
    if go.get("containerRefMetadata") or go.get("updateEnvFromMetadata"):
        assert allowed(go_peer, "inplace", case), case
        return
    # Go writes "{}" when only the finalizers' order changed; kruise-py writes nothing.
    go_patch = go.get("metaDataPatch") or None
    if (mine.metadata_patch or None) != go_patch and allowed(go_peer, "inplace", case):
        go_patch = _per_key(go_patch, base)
    assert (mine.metadata_patch or None) == go_patch, case


STATE_KEY = "apps.kruise.io/inplace-update-state"
GRACE_KEY = "apps.kruise.io/inplace-update-grace"
IMAGE_IDS = st.sampled_from(["", "sha256:aaa", "sha256:bbb", "docker.io/library/nginx@sha256:ccc"])
CONTAINER_IDS = st.sampled_from(["containerd://1", "containerd://2"])
SHORT_IMAGES = st.sampled_from(
    [
        "nginx",
        "nginx:latest",
        "nginx:1.25",
        "docker.io/library/nginx:latest",
        "reg:5000/app",
        "reg:5000/app:latest",
        "sha256:ddd",
    ]
)


@st.composite
def in_place_pods(draw: Any) -> dict[str, Any]:
    names = draw(
        st.lists(st.sampled_from(["main", "sidecar"]), min_size=1, max_size=2, unique=True)
    )
    containers = [{"name": n, "image": draw(SHORT_IMAGES)} for n in names]
    statuses = []
    for n in names:
        if draw(st.integers(0, 9)) == 0:
            continue  # no status yet
        status = {"name": n, "image": draw(SHORT_IMAGES), "imageID": draw(IMAGE_IDS)}
        status.update(draw(obj(containerID=maybe(CONTAINER_IDS, null=False))))
        statuses.append(status)
    records = {}
    for n in draw(st.lists(st.sampled_from(["main", "sidecar"]), max_size=2, unique=True)):
        record = {"imageID": draw(IMAGE_IDS)}
        record.update(draw(obj(containerID=maybe(CONTAINER_IDS, null=False))))
        records[n] = record
    state: dict[str, Any] = {
        "revision": "web-1",
        "updateTimestamp": "2024-05-01T10:00:00Z",
        "lastContainerStatuses": records,
    }
    annotations = {}
    if draw(st.integers(0, 9)):
        annotations[STATE_KEY] = json.dumps(state)
    if draw(st.integers(0, 9)) == 0:
        grace = {"revision": "web-1", "containerImages": {"main": "x"}, "graceSeconds": 5}
        annotations[GRACE_KEY] = json.dumps(grace)
    return {
        "metadata": {
            "name": "web-0",
            "labels": {"controller-revision-hash": "web-1"},
            "annotations": annotations,
        },
        "spec": {"containers": containers},
        "status": {"containerStatuses": statuses},
    }


@SETTINGS
@given(pod=in_place_pods())
def test_in_place_completion_is_what_go_decides(go_peer: Any, pod: dict[str, Any]) -> None:
    answer = go_peer.ask("completed", pod=pod)
    if "error" in answer:
        go_peer.refused["completed"] += 1
        return
    go_peer.compared["completed"] += 1
    mine = check_completed(pod)
    if mine.done == answer["completed"]:
        return
    # A pod's verdict is every changed container's: each container that decides
    # differently must do so for a documented reason.
    assert STATE_KEY in pod["metadata"]["annotations"], (pod, answer, mine)
    assert GRACE_KEY not in pod["metadata"]["annotations"], (pod, answer, mine)
    differing = []
    for name, single in _one_container_pods(pod):
        go_single = go_peer.ask("completed", pod=single)["completed"]
        if check_completed(single).done != go_single:
            differing.append(name)
            case = {"pod": single, "container": name}
            assert explained("completed", case), (single, go_single, answer, mine)
    assert differing, (pod, answer, mine)
    go_peer.allowed["completed"] += 1


def _one_container_pods(pod: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``pod`` once per container its state records, with only that container recorded."""
    state = json.loads(pod["metadata"]["annotations"][STATE_KEY])
    pods = []
    for name, record in state["lastContainerStatuses"].items():
        single = json.loads(json.dumps(pod))
        one = {**state, "lastContainerStatuses": {name: record}}
        single["metadata"]["annotations"][STATE_KEY] = json.dumps(one)
        pods.append((name, single))
    return pods


def test_the_type_model_is_what_go_reflects(go_binary: Any) -> None:
    """kruise/apis/apps/defaults/gotypes_data.py is hack/difftest/gen_types.py's output."""
    repo = Path(__file__).resolve().parents[2]
    schema = subprocess.run([str(go_binary), "-schema"], capture_output=True, check=True)
    generated = subprocess.run(
        [sys.executable, str(repo / "hack" / "difftest" / "gen_types.py")],
        input=schema.stdout,
        capture_output=True,
        check=True,
    )
    in_tree = (repo / "kruise" / "apis" / "apps" / "defaults" / "gotypes_data.py").read_bytes()
    assert generated.stdout == in_tree
