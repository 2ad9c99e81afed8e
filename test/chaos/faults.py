"""The faults of a chaos run besides the proxy's: restarts and manager kills, on a seeded
timeline; and the proxy's rules.

A round's timeline is drawn up front from the seed: when kube-apiserver and etcd
restart, when which manager is killed and with which signal, and how long it stays down.
A kill targets the current leader most of the time (the interesting case) and the
standby otherwise.
"""

from __future__ import annotations

import heapq
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from chaos.harness import ChaosCluster, Slot
from kruise.runtime.envtest.faultproxy import Fault, Rule

KILL_SIGNALS = (signal.SIGKILL, signal.SIGTERM)


def proxy_rules() -> list[Rule]:
    """Every fault kind the proxy has, at rates a controller must live with."""
    writes = ["create", "update", "patch", "delete"]
    return [
        Rule.of(Fault.internal_error(), probability=0.03),
        Rule.of(Fault.unavailable(retry_after=1), probability=0.03),
        Rule.of(Fault.throttled(retry_after=1), probability=0.03),
        Rule.of(Fault.conflict(), verbs=["update", "patch"], probability=0.05),
        Rule.of(Fault.latency(0.05, 0.5), probability=0.08),
        Rule.of(Fault.timeout(2.0), verbs=["get", "list"], probability=0.01),
        Rule.of(Fault.timeout(2.0, applied=True), verbs=writes, probability=0.02),
        Rule.of(Fault.timeout(2.0, drop_connection=True), probability=0.01),
        Rule.of(Fault.watch_cut(3), verbs=["watch"], probability=0.2),
        Rule.of(Fault.watch_expired(2), verbs=["watch"], probability=0.1),
        Rule.of(Fault.watch_gone(), verbs=["watch"], probability=0.05),
        Rule.of(Fault.watch_stall(1), verbs=["watch"], probability=0.03),
    ]


@dataclass(order=True)
class Event:
    at: float
    kind: str = field(compare=False)
    slot: int = field(default=-1, compare=False)
    sig: int = field(default=0, compare=False)


@dataclass
class Timeline:
    """What happens in one round, in seconds from its start."""

    events: list[Event]

    @classmethod
    def draw(
        cls, rng: random.Random, seconds: float, kills: int, apiserver: int, etcd: int
    ) -> Timeline:
        events = [Event(rng.uniform(5, seconds - 10), "apiserver") for _ in range(apiserver)]
        events += [Event(rng.uniform(5, seconds - 10), "etcd") for _ in range(etcd)]
        for _ in range(kills):
            target = 0 if rng.random() < 0.75 else 1  # 0: the leader, 1: the standby
            sig = int(rng.choice(KILL_SIGNALS))
            events.append(Event(rng.uniform(2, seconds - 15), "kill", target, sig))
        heapq.heapify(events)
        return cls(events)


@dataclass
class Chaos:
    """Plays timelines against the cluster and counts what it did.

    A supervisor thread plays the kubelet: a manager that exits by itself (it does when
    it loses the Lease) is started again after a second, a killed one after its drawn
    downtime."""

    cluster: ChaosCluster
    rng: random.Random
    log: Callable[[str], None]
    counts: Counter[str] = field(default_factory=Counter)
    last_fault_at: float = 0.0
    _down_until: dict[int, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    _thread: threading.Thread | None = None

    def supervise(self) -> None:
        self._thread = threading.Thread(target=self._supervise, name="supervisor", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(90)

    def _supervise(self) -> None:
        while not self._stop.wait(0.3):
            with self._lock:
                for index, slot in enumerate(self.cluster.slots):
                    if slot.alive():
                        continue
                    until = self._down_until.get(index)
                    if until is None:  # it exited by itself
                        self.counts["manager_exits"] += 1
                        self.log(f"{slot.identity} exited by itself (code {slot.exit_code()})")
                        slot.reap()
                        self._down_until[index] = until = time.monotonic() + 1.0
                    if time.monotonic() >= until:
                        del self._down_until[index]
                        self._restart(slot)

    def play(self, timeline: Timeline, seconds: float, between: Callable[[], None]) -> None:
        """Run the round: its events at their times, ``between`` in the gaps (the
        script's steps, the checker's verdicts)."""
        start = time.monotonic()
        pending = list(timeline.events)
        while time.monotonic() - start < seconds:
            while pending and pending[0].at <= time.monotonic() - start:
                event = heapq.heappop(pending)
                if self._postpone(event, seconds):
                    event.at += 1.0
                    heapq.heappush(pending, event)
                    break
                self._do(event)
            between()

    def _postpone(self, event: Event, seconds: float) -> bool:
        """A kill aimed at the leader waits (a little) for there to be a live one: after
        an API server restart the leader has often just exited by itself."""
        if event.kind != "kill" or event.slot != 0 or event.at > seconds - 4:
            return False
        leader = self.cluster.leader()
        return not any(s.alive() and s.identity == leader for s in self.cluster.slots)

    def _do(self, event: Event) -> None:
        assert self.cluster.cluster is not None
        if event.kind == "apiserver":
            self.log("restarting kube-apiserver")
            self.cluster.cluster.restart_apiserver()
            self.counts["apiserver_restarts"] += 1
        elif event.kind == "etcd":
            self.log("restarting etcd (same data)")
            self.cluster.cluster.restart_etcd()
            self.counts["etcd_restarts"] += 1
        else:
            self._kill(event)
        self.last_fault_at = time.time()

    def _kill(self, event: Event) -> None:
        slots = self.cluster.slots
        leader = self.cluster.leader() or ""
        with self._lock:
            live = [i for i, s in enumerate(slots) if s.alive()]
            if not live:
                return
            leading = [i for i in live if slots[i].identity == leader]
            others = [i for i in live if i not in leading]
            pool = leading if event.slot == 0 and leading else others or live
            index = self.rng.choice(pool)
            slot = slots[index]
            sig = signal.Signals(event.sig)
            was_leader = slot.identity == leader
            self.log(f"{sig.name} to {slot.identity}{' (leader)' if was_leader else ''}")
            self._down_until[index] = float("inf")
            slot.stop(sig)
            self._down_until[index] = time.monotonic() + self.rng.uniform(0.5, 4.0)
        self.counts["kills"] += 1
        self.counts[f"kills_{sig.name}"] += 1
        if was_leader:
            self.counts["leader_kills"] += 1

    def _restart(self, slot: Slot) -> None:
        slot.start()
        self.log(f"started {slot.identity}")
        self.counts["manager_restarts"] += 1

    def ensure_up(self) -> None:
        """Both managers running and ready (a round ends with every slot up)."""
        deadline = time.monotonic() + 120
        while not all(s.ready() for s in self.cluster.slots):
            if time.monotonic() > deadline:
                down = [s.identity for s in self.cluster.slots if not s.ready()]
                raise AssertionError(f"managers not ready 120s after the faults: {down}")
            time.sleep(0.3)
