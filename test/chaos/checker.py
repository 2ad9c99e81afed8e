"""The outside checker: its own watches on pods, claims, Leases and the workloads, and the
audit log, checked on every event; the first broken invariant is kept and ends the run.

Invariants that need one kind of object only (pods) are checked on every pod event,
against a state that is one consistent point of the pods' history. Those that join two
watches (a pod and its claims) can see the two at slightly different moments, so a
problem there counts only when it is still there on the next sweep a little later (an
orphaned claim: a minute later, see ``ORPHAN_GRACE``).
Writes are judged against the Lease history once they are ``AUDIT_SETTLE`` seconds old,
so a Lease write that completes late is in the history before the writes around it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaos.invariants import (
    BoundTracker,
    Obj,
    claim_problems,
    controller_uid,
    duplicate_instance_ids,
    duplicate_nodes,
    duplicate_ordinals,
    live,
    meta,
    too_few_ready,
)
from chaos.leadership import AuditReader, overlaps
from chaos.watch import Watch
from kruise.runtime.envtest import ControlPlane

AUDIT_SETTLE = 15.0
# A StatefulSet creates a claim, then the pod, then sets the claim's owners in a second
# write (as Kubernetes' own controller does); that write can be held up by conflicts and
# a stale cache while the API misbehaves. An orphan counts once it outlives this grace;
# a stolen claim counts on the second sweep that sees it.
ORPHAN_GRACE = 60.0
SWEEP_SECONDS = 2.0


@dataclass
class Window:
    """An update the driver runs with a fixed replica count on healthy nodes: ready pods
    must not drop below ``replicas - max_unavailable``."""

    replicas: int
    max_unavailable: int


@dataclass
class Violation:
    at: float
    what: str

    def __str__(self) -> str:
        return self.what


@dataclass
class Checker:
    plane: ControlPlane
    namespace: str
    audit: AuditReader
    stop: threading.Event = field(default_factory=threading.Event)
    violations: list[Violation] = field(default_factory=list)
    bounds: dict[str, BoundTracker] = field(default_factory=dict)
    windows: dict[tuple[str, str], Window] = field(default_factory=dict)
    leader_changes: list[tuple[float, str]] = field(default_factory=list)
    checks: int = 0
    writes_checked: int = 0
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _state: dict[str, dict[str, Obj]] = field(default_factory=dict)
    _suspects: dict[str, float] = field(default_factory=dict)
    _watches: list[Watch] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self, lease_path: str) -> None:
        ns = f"/namespaces/{self.namespace}"
        collections = {
            "pods": f"/api/v1{ns}/pods",
            "claims": f"/api/v1{ns}/persistentvolumeclaims",
            "clonesets": f"/apis/apps.kruise.io/v1alpha1{ns}/clonesets",
            "statefulsets": f"/apis/apps.kruise.io/v1beta1{ns}/statefulsets",
            "broadcastjobs": f"/apis/apps.kruise.io/v1alpha1{ns}/broadcastjobs",
            "leases": lease_path,
        }
        for kind, path in collections.items():
            self._state[kind] = {}
            watch = Watch(self.plane, path, self._reset(kind), self._event(kind), self.stop)
            self._watches.append(watch)
            watch.start()
        sweeper = threading.Thread(target=self._sweep_loop, name="checker sweep", daemon=True)
        self._threads.append(sweeper)
        sweeper.start()

    def close(self) -> None:
        """Stop watching and judge every write left in the audit log."""
        self.stop.set()
        for thread in [*self._watches, *self._threads]:
            thread.join(10)
        self._judge_writes(final=True)

    def failed(self) -> Violation | None:
        for watch in self._watches:
            if watch.error is not None:
                return Violation(time.time(), f"checker error in {watch.name}: {watch.error!r}")
        return self.violations[0] if self.violations else None

    def objects(self, kind: str) -> list[Obj]:
        with self._lock:
            return list(self._state.get(kind, {}).values())

    def relists(self) -> int:
        return sum(w.relists for w in self._watches)

    # ---- what the driver tells the checker -------------------------------------------

    def declare_bound(self, cloneset: str, bound: int) -> int:
        with self._lock:
            return self.bounds.setdefault(cloneset, BoundTracker()).declare(bound)

    def bound_written(self, cloneset: str, token: int, generation: int) -> None:
        with self._lock:
            self.bounds[cloneset].written(token, generation)

    def open_window(self, kind: str, name: str, window: Window) -> None:
        with self._lock:
            self.windows[(kind, name)] = window

    def close_window(self, kind: str, name: str) -> None:
        with self._lock:
            self.windows.pop((kind, name), None)

    # ---- watch callbacks -------------------------------------------------------------

    def _reset(self, kind: str) -> Callable[[list[Obj]], None]:
        def reset(items: list[Obj]) -> None:
            with self._lock:
                self._state[kind] = {str(meta(o)["name"]): o for o in items}
                self._after(kind, None)

        return reset

    def _event(self, kind: str) -> Callable[[str, Obj], None]:
        def event(type_: str, obj: Obj) -> None:
            name = str(meta(obj)["name"])
            with self._lock:
                if type_ == "DELETED":
                    self._state[kind].pop(name, None)
                else:
                    self._state[kind][name] = obj
                self._after(kind, obj)

        return event

    def _after(self, kind: str, obj: Obj | None) -> None:
        if kind == "pods":
            self._check_pods(controller_uid(obj) if obj is not None else None)
        elif kind == "leases" and obj is not None:
            holder = str((obj.get("spec") or {}).get("holderIdentity") or "")
            if not self.leader_changes or self.leader_changes[-1][1] != holder:
                self.leader_changes.append((time.time(), holder))

    # ---- checks ----------------------------------------------------------------------

    def _fail(self, what: str) -> None:
        self.violations.append(Violation(time.time(), what))

    def _owners(self) -> dict[str, tuple[str, Obj]]:
        owners: dict[str, tuple[str, Obj]] = {}
        for kind in ("clonesets", "statefulsets", "broadcastjobs"):
            for obj in self._state.get(kind, {}).values():
                owners[str(meta(obj)["uid"])] = (kind, obj)
        return owners

    def _check_pods(self, only: str | None) -> None:
        self.checks += 1
        pods_by_owner: dict[str, list[Obj]] = {}
        for pod in self._state["pods"].values():
            owner = controller_uid(pod)
            if owner and (only is None or owner == only):
                pods_by_owner.setdefault(owner, []).append(pod)
        owners = self._owners()
        for owner, pods in pods_by_owner.items():
            if owner in owners:
                kind, workload = owners[owner]
                self._check_owner(kind, workload, pods)

    def _check_owner(self, kind: str, workload: Obj, pods: list[Obj]) -> None:
        name = str(meta(workload)["name"])
        where = f"{kind}/{name}"
        if kind == "clonesets":
            self._check_cloneset(name, workload, pods)
        elif kind == "statefulsets":
            dup = duplicate_ordinals(pods)
            if dup:
                self._fail(f"{where}: two live pods with ordinal {dup}")
        elif kind == "broadcastjobs":
            dup = duplicate_nodes(pods)
            if dup:
                self._fail(f"{where}: two pods on node {dup}")
        window = self.windows.get((kind, name))
        if window is not None:
            short = too_few_ready(pods, window.replicas, window.max_unavailable)
            if short:
                self._fail(f"{where} during an update: {short}")

    def _check_cloneset(self, name: str, workload: Obj, pods: list[Obj]) -> None:
        count = sum(1 for p in pods if live(p))
        tracker = self.bounds.get(name)
        if tracker is not None:
            observed = int((workload.get("status") or {}).get("observedGeneration") or 0)
            tracker.settle(observed, count)
            bound = tracker.bound()
            if bound is not None and count > bound:
                self._fail(f"clonesets/{name}: {count} live pods > replicas + maxSurge = {bound}")
        dup = duplicate_instance_ids(pods)
        if dup:
            self._fail(f"clonesets/{name}: two live pods with instance id {dup}")

    def _sweep_loop(self) -> None:
        while not self.stop.wait(SWEEP_SECONDS):
            try:
                self._sweep_claims()
                self._judge_writes(final=False)
            except Exception as err:  # a checker bug must fail the run, not vanish
                self._fail(f"checker error: {err!r}")

    def _sweep_claims(self) -> None:
        with self._lock:
            owners = {
                uid
                for uid, (kind, _) in self._owners().items()
                if kind in ("clonesets", "statefulsets")
            }
            problems = set(
                claim_problems(self._state["pods"].values(), self._state["claims"], owners)
            )
        now = time.monotonic()
        self._suspects = {p: self._suspects.get(p, now) for p in problems}
        for problem, since in sorted(self._suspects.items()):
            grace = ORPHAN_GRACE if "orphaned" in problem else 0.0
            if since < now and now - since >= grace:
                self._fail(f"{problem} (for {now - since:.0f}s)")

    def _judge_writes(self, *, final: bool) -> None:
        self.audit.read_new()
        horizon = float("inf") if final else time.time() - AUDIT_SETTLE
        ready = [w for w in self.audit.writes if w.at < horizon]
        self.audit.writes = [w for w in self.audit.writes if w.at >= horizon]
        self.writes_checked += len(ready)
        for overlap in overlaps(self.audit.history, ready):
            self._fail(f"two leaders: {overlap}")


def lease_history_summary(reader: AuditReader) -> dict[str, Any]:
    claims = reader.history.claims
    return {
        "lease_writes": len(claims),
        "holder_changes": reader.history.transitions(),
        "requests_by_slot": dict(reader.requests_by_slot),
    }


def audit_reader(path: Path, namespace: str, slots: list[str], lease: str) -> AuditReader:
    accounts = {f"system:serviceaccount:{namespace}:{slot}": slot for slot in slots}
    return AuditReader(path, accounts, lease)
