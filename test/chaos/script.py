"""The workloads of a chaos run and the seeded script that drives them.

A CloneSet (maxSurge, maxUnavailable, a claim template, in-place updates), an Advanced
StatefulSet (Parallel, maxUnavailable, reserveOrdinals, claim templates deleted with the
set and on scale-in), an AdvancedCronJob firing every minute and one BroadcastJob per
round. The script scales them up and down, changes images (in place) and env (a
rolling recreate), partitions and pauses, all drawn from one ``random.Random`` so a
seed replays the same sequence of actions.

Writes go straight to kube-apiserver as the admin, retried while it restarts. Before a
CloneSet write the checker learns its new ``replicas + maxSurge``; an image change on a
settled workload opens an update window in which the checker holds it to maxUnavailable,
closed before any other change to that workload.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from support.workloads import advancedcronjob, broadcastjob, cloneset, statefulset

from chaos.checker import Checker, Window
from chaos.invariants import Obj, surge_bound
from kruise.runtime.envtest import LocalCluster
from kruise.runtime.envtest.rest import RestError

NAMESPACE = "chaos"
CLONESET = "web"
STATEFULSET = "db"
CRONJOB = "tick"
IMAGES = ("nginx:1.25", "nginx:1.26", "nginx:1.27")
MERGE = "application/merge-patch+json"
COLLECTIONS = {
    "clonesets": f"/apis/apps.kruise.io/v1alpha1/namespaces/{NAMESPACE}/clonesets",
    "statefulsets": f"/apis/apps.kruise.io/v1beta1/namespaces/{NAMESPACE}/statefulsets",
    "broadcastjobs": f"/apis/apps.kruise.io/v1alpha1/namespaces/{NAMESPACE}/broadcastjobs",
    "advancedcronjobs": f"/apis/apps.kruise.io/v1alpha1/namespaces/{NAMESPACE}/advancedcronjobs",
}


def claim_template(name: str) -> Obj:
    return {
        "metadata": {"name": name},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }


def with_volume(workload: dict[str, Any]) -> dict[str, Any]:
    workload["spec"]["volumeClaimTemplates"] = [claim_template("data")]
    container = workload["spec"]["template"]["spec"]["containers"][0]
    container["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    container["env"] = [{"name": "ROUND", "value": "0"}]
    return workload


def manifests() -> list[tuple[str, dict[str, Any]]]:
    web = cloneset(
        CLONESET,
        4,
        updateStrategy={"type": "InPlaceIfPossible", "maxSurge": 1, "maxUnavailable": 1},
    )
    db = statefulset(
        STATEFULSET,
        4,
        podManagementPolicy="Parallel",
        reserveOrdinals=[1],
        persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete", "whenScaled": "Delete"},
        updateStrategy={
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": 2, "podUpdatePolicy": "InPlaceIfPossible"},
        },
    )
    # In-place updates of a StatefulSet need the readiness gate they flip.
    db["spec"]["template"]["spec"]["readinessGates"] = [{"conditionType": "InPlaceUpdateReady"}]
    tick = advancedcronjob(CRONJOB, schedule="*/1 * * * *", concurrencyPolicy="Forbid")
    return [
        ("clonesets", with_volume(web)),
        ("statefulsets", with_volume(db)),
        ("advancedcronjobs", tick),
    ]


def retrying(call: Callable[[], Any], what: str, timeout: float = 120.0) -> Any:
    """``call`` until it succeeds: the API server may be restarting, or both managers
    (whose webhooks admit these writes) down for a moment."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except (RestError, OSError) as err:
            status = getattr(err, "status", 0)
            if 400 <= status < 500 and status not in (404, 409, 429):
                raise
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what}: still failing after {timeout:.0f}s: {err}") from err
            time.sleep(0.5)


@dataclass
class Desired:
    """What the script last asked of one workload."""

    replicas: int
    image: str = IMAGES[0]
    env: int = 0
    partition: int = 0
    paused: bool = False
    reserve: list[int] = field(default_factory=list)
    in_window: bool = False


@dataclass
class Script:
    cluster: LocalCluster
    checker: Checker
    rng: random.Random
    log: Callable[[str], None]
    desired: dict[str, Desired] = field(default_factory=dict)
    actions: int = 0
    rounds: int = 0

    def create(self) -> None:
        rest = self.cluster.rest
        retrying(
            lambda: rest.apply("/api/v1/namespaces", {"metadata": {"name": NAMESPACE}}),
            "namespace",
        )
        self.cluster.wait_for_service_account(NAMESPACE)
        for kind, doc in manifests():
            if kind == "clonesets":
                token = self.checker.declare_bound(CLONESET, surge_bound(doc["spec"]))
                made = retrying(lambda d=doc, k=kind: rest.apply(COLLECTIONS[k], d), "create")
                self.checker.bound_written(CLONESET, token, made["metadata"]["generation"])
            else:
                retrying(lambda d=doc, k=kind: rest.apply(COLLECTIONS[k], d), "create")
        self.desired = {
            CLONESET: Desired(4),
            STATEFULSET: Desired(4, reserve=[1]),
        }

    # ---- one step -------------------------------------------------------------------

    def step(self) -> None:
        """One random action on a random workload."""
        name = self.rng.choice([CLONESET, STATEFULSET])
        action = self.rng.choice(
            ["scale", "scale", "image", "image", "env", "partition", "pause", "reserve"]
        )
        if action == "reserve" and name == CLONESET:
            action = "scale"
        getattr(self, f"_{action}")(name)
        self.actions += 1

    def _scale(self, name: str) -> None:
        self._patch(name, replicas=self.rng.randint(2, 7))

    def _image(self, name: str) -> None:
        image = self.rng.choice([i for i in IMAGES if i != self.desired[name].image])
        self._patch(name, image=image, window=True)

    def _env(self, name: str) -> None:
        self._patch(name, env=self.desired[name].env + 1, window=True)

    def _partition(self, name: str) -> None:
        self._patch(name, partition=self.rng.choice([0, 0, 1, 2]))

    def _pause(self, name: str) -> None:
        self._patch(name, paused=not self.desired[name].paused)

    def _reserve(self, name: str) -> None:
        self._patch(name, reserve=sorted(self.rng.sample(range(6), self.rng.randint(0, 2))))

    def settle(self) -> None:
        """The last writes of a round: unpaused, partition 0, so all can converge."""
        for name in (CLONESET, STATEFULSET):
            self._patch(name, paused=False, partition=0)

    def new_broadcastjob(self) -> str:
        self.rounds += 1
        name = f"once-{self.rounds}"
        job = broadcastjob(name, completionPolicy={"type": "Always"})
        retrying(lambda: self.cluster.rest.apply(COLLECTIONS["broadcastjobs"], job), "broadcastjob")
        return name

    # ---- writing ---------------------------------------------------------------------

    def _patch(self, name: str, *, window: bool = False, **change: Any) -> None:
        kind = "clonesets" if name == CLONESET else "statefulsets"
        before = self.desired[name]
        self.checker.close_window(kind, name)
        after = Desired(**{**before.__dict__, **change, "in_window": False})
        open_window = window and self._settled(kind, name, before)
        body = self._body(kind, after)
        path = f"{COLLECTIONS[kind]}/{name}"
        token = None
        if kind == "clonesets":
            token = self.checker.declare_bound(name, after.replicas + 1)  # maxSurge: 1
        made = retrying(
            lambda: self.cluster.rest.request("PATCH", path, body, content_type=MERGE),
            f"patch {kind}/{name}",
        )
        if token is not None:
            self.checker.bound_written(name, token, made["metadata"]["generation"])
        if open_window:
            max_unavailable = 1 if kind == "clonesets" else 2
            self.checker.open_window(kind, name, Window(after.replicas, max_unavailable))
            after.in_window = True
        self.desired[name] = after
        self.log(f"{kind}/{name}: {change}{' (update window)' if open_window else ''}")

    def _settled(self, kind: str, name: str, desired: Desired) -> bool:
        """Whether the workload is fully rolled out and ready on its current spec, so an
        update from here is held to maxUnavailable."""
        if desired.paused or desired.partition:
            return False
        try:
            obj = self.cluster.rest.get(f"{COLLECTIONS[kind]}/{name}")
        except (RestError, OSError):
            return False
        return converged(kind, obj)

    def _body(self, kind: str, d: Desired) -> dict[str, Any]:
        container = {
            "name": "main",
            "image": d.image,
            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
            "env": [{"name": "ROUND", "value": str(d.env)}],
        }
        template = {"spec": {"containers": [container]}}
        if kind == "clonesets":
            strategy: dict[str, Any] = {"partition": d.partition, "paused": d.paused}
            return {
                "spec": {"replicas": d.replicas, "template": template, "updateStrategy": strategy}
            }
        rolling = {"partition": d.partition, "paused": d.paused}
        return {
            "spec": {
                "replicas": d.replicas,
                "template": template,
                "reserveOrdinals": d.reserve,
                "updateStrategy": {"rollingUpdate": rolling},
            }
        }


def converged(kind: str, obj: Obj) -> bool:
    """The workload's status says it has reached its spec."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if kind == "broadcastjobs":
        desired = int(status.get("desired") or 0)
        return desired > 0 and int(status.get("succeeded") or 0) == desired
    if kind == "advancedcronjobs":
        return bool(status.get("lastScheduleTime")) and not status.get("active")
    if int(status.get("observedGeneration") or 0) < int(obj["metadata"].get("generation") or 0):
        return False
    replicas = int(spec.get("replicas", 1))
    counts = ("replicas", "readyReplicas", "updatedReplicas")
    if any(int(status.get(c) or 0) != replicas for c in counts):
        return False
    if kind == "clonesets":
        return int(status.get("updatedReadyReplicas") or 0) == replicas
    return status.get("currentRevision") == status.get("updateRevision")
