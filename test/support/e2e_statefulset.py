"""Advanced StatefulSets on a real cluster, through a Client in either API version: their
pods by ordinal, a settled set, writes through v1alpha1 (where ``reserveOrdinals`` rides in
an annotation), and a watch that keeps every pod event of a set in the API server's order."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from kruise.apis.apps import v1alpha1, v1beta1
from kruise.apis.apps.conversion import CARRIED_FIELDS_ANNOTATION
from kruise.runtime.client import PODS, Client, Resource
from kruise.runtime.client.errors import Conflict
from support.pods import image_of, is_ready, live, status_image

Obj = dict[str, Any]
VERSIONS: dict[str, Resource] = {"v1beta1": v1beta1.STATEFULSETS, "v1alpha1": v1alpha1.STATEFULSETS}
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
REVISION_LABEL = "controller-revision-hash"


def ordinal(pod: Obj, name: str) -> int:
    """The ordinal in a pod named ``<name>-<ordinal>``; fails on any other name."""
    match = re.fullmatch(rf"{re.escape(name)}-(\d+)", pod["metadata"]["name"])
    assert match is not None, f"pod {pod['metadata']['name']} is not named {name}-<ordinal>"
    return int(match.group(1))


async def pods_of(client: Client, namespace: str, name: str) -> list[Obj]:
    listed = await client.list(PODS, namespace, label_selector=f"app={name}")
    return sorted(listed.items, key=lambda p: ordinal(p, name))


def _running_ready(pod: Obj) -> bool:
    return pod.get("status", {}).get("phase") == "Running" and is_ready(pod)


async def settled(
    client: Client,
    namespace: str,
    name: str,
    ordinals: list[int],
    *,
    image: str | None = None,
    version: str = "v1beta1",
) -> list[Obj] | None:
    """The set's pods once exactly ``ordinals`` run, Running and Ready (with ``image`` in
    spec and container status, if given), none is being deleted, every pod is at the update
    revision and the status, read through ``version``, says so; None before."""
    sts = await client.get(VERSIONS[version], name, namespace)
    status = sts.get("status", {})
    if status.get("observedGeneration") != sts["metadata"]["generation"]:
        return None
    count = len(ordinals)
    for counter in ("replicas", "readyReplicas", "availableReplicas", "updatedReplicas"):
        if status.get(counter) != count:
            return None
    if status.get("currentRevision") != status.get("updateRevision"):
        return None
    pods = await pods_of(client, namespace, name)
    if len(live(pods)) != len(pods) or [ordinal(p, name) for p in pods] != ordinals:
        return None
    if not all(_running_ready(p) for p in pods):
        return None
    if any(p["metadata"]["labels"].get(REVISION_LABEL) != status["updateRevision"] for p in pods):
        return None
    if image is not None and not all(
        image_of(p) == image and status_image(p) == image for p in pods
    ):
        return None
    return pods


async def write_v1alpha1(
    client: Client,
    namespace: str,
    name: str,
    *,
    replicas: int | None = None,
    reserve: list[int] | None = None,
    image: str | None = None,
) -> Obj:
    """Read the set as v1alpha1, change it and write the whole object back (a PUT), as an
    old client would. ``reserve`` edits the annotation that carries ``reserveOrdinals``;
    without it the annotation goes back as read. Retried on a write conflict."""
    for _ in range(10):
        sts = await client.get(v1alpha1.STATEFULSETS, name, namespace)
        if replicas is not None:
            sts["spec"]["replicas"] = replicas
        if reserve is not None:
            annotations = sts["metadata"].setdefault("annotations", {})
            carried = json.loads(annotations.get(CARRIED_FIELDS_ANNOTATION) or "{}")
            carried.setdefault("spec", {})["reserveOrdinals"] = reserve
            annotations[CARRIED_FIELDS_ANNOTATION] = json.dumps(carried, separators=(",", ":"))
        if image is not None:
            sts["spec"]["template"]["spec"]["containers"][0]["image"] = image
        try:
            return await client.update(v1alpha1.STATEFULSETS, sts)
        except Conflict:
            continue
    raise AssertionError(f"could not write StatefulSet {namespace}/{name} through v1alpha1")


def reserve_annotation(reserve: list[int]) -> dict[str, str]:
    """The v1alpha1 annotation that says ``spec.reserveOrdinals: reserve``."""
    carried = {"spec": {"reserveOrdinals": reserve}}
    return {CARRIED_FIELDS_ANNOTATION: json.dumps(carried, separators=(",", ":"))}


@dataclass(frozen=True)
class Seen:
    """One pod as one watch event showed it."""

    index: int
    event: str
    name: str
    uid: str
    ready: bool
    deleting: bool
    revision: str


@dataclass
class PodHistory:
    """Every pod event of one set from a watch (a list first, then a watch from its
    resourceVersion, reconnected from the last one seen), and after each event the pods
    that existed then, by UID. ``problems`` collects what broke the rules on the way: a pod
    not named ``<set>-<ordinal>`` or with a wrong ``statefulset.kubernetes.io/pod-name``,
    and two pods (two UIDs) of one ordinal existing at once."""

    client: Client
    namespace: str
    name: str
    events: list[Seen] = field(default_factory=list)
    states: list[dict[str, Seen]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _synced: asyncio.Event = field(default_factory=asyncio.Event)

    async def __aenter__(self) -> PodHistory:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._synced.wait(), timeout=60)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        if self._task.done() and self._task.exception() is not None:
            raise AssertionError("the pod watch failed") from self._task.exception()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    @property
    def current(self) -> dict[str, Seen]:
        return self.states[-1] if self.states else {}

    def _record(self, event: str, pod: Obj) -> None:
        meta = pod["metadata"]
        seen = Seen(
            index=len(self.events),
            event=event,
            name=meta["name"],
            uid=meta["uid"],
            ready=_running_ready(pod),
            deleting=bool(meta.get("deletionTimestamp")),
            revision=(meta.get("labels") or {}).get(REVISION_LABEL, ""),
        )
        self.events.append(seen)
        state = dict(self.current)
        if event == "DELETED":
            state.pop(seen.uid, None)
        else:
            state[seen.uid] = seen
        self.states.append(state)
        self._check(pod, state)

    def _check(self, pod: Obj, state: dict[str, Seen]) -> None:
        name = pod["metadata"]["name"]
        if not re.fullmatch(rf"{re.escape(self.name)}-\d+", name):
            self.problems.append(f"pod {name} is not named {self.name}-<ordinal>")
        elif (pod["metadata"].get("labels") or {}).get(POD_NAME_LABEL) != name:
            self.problems.append(f"pod {name} has no {POD_NAME_LABEL}={name} label")
        names = [s.name for s in state.values()]
        if len(names) != len(set(names)):
            self.problems.append(f"two pods share an ordinal: {sorted(names)}")

    async def _run(self) -> None:
        selector = f"app={self.name}"
        listed = await self.client.list(PODS, self.namespace, label_selector=selector)
        for pod in sorted(listed.items, key=lambda p: p["metadata"]["name"]):
            self._record("LISTED", pod)
        version = listed.resource_version
        self._synced.set()
        while True:
            stream = self.client.watch(
                PODS,
                self.namespace,
                label_selector=selector,
                resource_version=version,
                timeout_seconds=60,
            )
            async with stream as events:
                async for event_type, pod in events:
                    version = pod["metadata"]["resourceVersion"]
                    if event_type != "BOOKMARK":
                        self._record(event_type, pod)

    # ---- reading the history --------------------------------------------------------

    def ordinals_ever(self) -> set[int]:
        """Every ordinal a pod had at some point."""
        return {int(s.name.rsplit("-", 1)[1]) for s in self.events}

    def uids(self, name: str) -> list[str]:
        """The UIDs the pod ``name`` had, in order (one per incarnation)."""
        found: list[str] = []
        for seen in self.events:
            if seen.name == name and seen.uid not in found:
                found.append(seen.uid)
        return found

    def first(self, name: str, *, ready: bool = False, deleting: bool = False) -> int | None:
        """The index of the first event showing ``name`` (Ready, or being deleted or gone,
        when asked); None if none did."""
        for seen in self.events:
            if seen.name != name:
                continue
            if ready and not seen.ready:
                continue
            if deleting and not (seen.deleting or seen.event == "DELETED"):
                continue
            return seen.index
        return None

    def fewest_ready(self, since: int = 0) -> int:
        """The fewest pods Ready and not being deleted at once, from event ``since`` on."""
        return min(
            sum(1 for s in state.values() if s.ready and not s.deleting)
            for state in self.states[since:]
        )

    def order_of_first(self, revision: str) -> list[str]:
        """Pod names in the order a pod of ``revision`` first appeared with that name."""
        order: list[str] = []
        for seen in self.events:
            if seen.revision == revision and seen.name not in order:
                order.append(seen.name)
        return order
