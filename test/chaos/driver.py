"""A chaos run, start to end (``make chaos``, ``make chaos-short``; docs/testing.md).

Rounds of: a new BroadcastJob; faults on (the proxy's plan, kube-apiserver and etcd
restarts, managers killed and restarted) while the seeded script changes the
workloads; faults off; the last writes (unpause, partition 0); then every object must
converge within ``CONVERGE_BOUND`` seconds, timed from the end of the faults. The
checker watches throughout and the first broken invariant ends the run.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaos.checker import Checker, audit_reader, lease_history_summary
from chaos.faults import Chaos, Timeline, proxy_rules
from chaos.figures import manager_figures, percentiles, retries_shown, write_results
from chaos.harness import LEASE, SLOTS, SYSTEM, ChaosCluster, lease_path
from chaos.invariants import claim_problems, live, ordinal
from chaos.script import (
    CLONESET,
    COLLECTIONS,
    CRONJOB,
    NAMESPACE,
    STATEFULSET,
    Script,
    converged,
)
from kruise.runtime.envtest.faultproxy import FaultPlan, FaultProxy

RESULTS = Path(__file__).resolve().parent / "results"
CONVERGE_BOUND = 180.0


@dataclass(frozen=True)
class Form:
    rounds: int
    seconds: float
    kills: int
    etcd_every: int  # an etcd restart every n-th round


FORMS = {
    "short": Form(rounds=2, seconds=50, kills=2, etcd_every=2),
    "long": Form(rounds=10, seconds=110, kills=4, etcd_every=2),
}


class RunFailed(Exception):
    """An invariant broke or something did not converge; one line says what."""


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chaos", description=__doc__)
    parser.add_argument("--form", choices=sorted(FORMS), default="long")
    parser.add_argument("--seed", type=int, default=None, help="replay a run (default: new)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--results", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    form = FORMS[args.form]
    if args.rounds:
        form = Form(args.rounds, form.seconds, form.kills, form.etcd_every)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**9)
    results = (
        args.results or RESULTS / f"{'latest' if args.form == 'long' else 'latest-short'}.json"
    )
    target = "chaos" if args.form == "long" else "chaos-short"
    log(f"chaos run ({args.form}), seed {seed}; replay: make {target} CHAOS_SEED={seed}")
    workdir = Path(tempfile.mkdtemp(prefix="kruise-chaos-"))
    # SIGTERM (a CI timeout) unwinds like Ctrl-C, so the cluster and managers stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    run = Run(form, seed, workdir)
    try:
        record = run.execute()
    finally:
        run.teardown()
    record.update(form=args.form, seed=seed, replay=f"make {target} CHAOS_SEED={seed}")
    write_results(results, record)
    print(json.dumps(record, indent=2), flush=True)
    log(f"figures written to {results}")
    if record["passed"]:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        log("chaos run passed")
        return 0
    log(f"chaos run FAILED: {record['failure']} (logs kept in {workdir})")
    return 1


class Run:
    def __init__(self, form: Form, seed: int, workdir: Path) -> None:
        self.form = form
        self.seed = seed
        self.rng = random.Random(seed)
        self.workdir = workdir
        self.env = ChaosCluster(workdir)
        self.proxy: FaultProxy | None = None
        self.checker: Checker | None = None
        self.chaos: Chaos | None = None
        self.converge: list[float] = []
        self.per_object: dict[str, list[float]] = {}
        self._scraping = threading.Event()
        self.started = time.time()

    # ---- the run ---------------------------------------------------------------------

    def execute(self) -> dict[str, Any]:
        failure = None
        try:
            self._setup()
            for number in range(1, self.form.rounds + 1):
                self._round(number)
        except (RunFailed, TimeoutError, AssertionError) as err:
            failure = str(err)
        return self._record(failure)

    def _setup(self) -> None:
        cluster = self.env.start_cluster()
        plan = FaultPlan(proxy_rules(), seed=self.seed, enabled=False)
        self.proxy = proxy = FaultProxy.for_control_plane(cluster, plan)
        proxy.__enter__()
        self.env.route = lambda token: proxy.tls.kubeconfig(proxy.url, token)
        self.env.start_managers()
        reader = audit_reader(self.env.audit_log, SYSTEM, list(SLOTS), f"{SYSTEM}/{LEASE}")
        self.checker = Checker(cluster, NAMESPACE, reader)
        self.checker.start(lease_path())
        self.chaos = Chaos(self.env, self.rng, log)
        self.chaos.supervise()
        self.script = Script(cluster, self.checker, self.rng, log)
        self.script.create()
        threading.Thread(target=self._scrape, daemon=True).start()
        self._wait_converged([("clonesets", CLONESET), ("statefulsets", STATEFULSET)], time.time())
        log("cluster, managers and workloads are up")

    def _round(self, number: int) -> None:
        assert self.proxy is not None
        assert self.chaos is not None
        log(f"---- round {number}/{self.form.rounds}")
        job = self.script.new_broadcastjob()
        timeline = Timeline.draw(
            self.rng,
            self.form.seconds,
            self.form.kills,
            apiserver=1,
            etcd=1 if number % self.form.etcd_every == 0 else 0,
        )
        self.proxy.start_faults()
        next_step = [time.monotonic() + self.rng.uniform(1, 4)]

        def between() -> None:
            self._check()
            if time.monotonic() >= next_step[0]:
                self.script.step()
                next_step[0] = time.monotonic() + self.rng.uniform(2, 6)
            time.sleep(0.2)

        self.chaos.play(timeline, self.form.seconds, between)
        self.proxy.stop_faults()
        faults_end = time.time()
        self.chaos.ensure_up()
        log(f"faults off ({sum(self.proxy.counts().values())} injected so far); converging")
        self.script.settle()
        objects = [
            ("clonesets", CLONESET),
            ("statefulsets", STATEFULSET),
            ("broadcastjobs", job),
            ("advancedcronjobs", CRONJOB),
        ]
        self._wait_converged(objects, faults_end, record=True)

    def _check(self) -> None:
        assert self.checker is not None
        violation = self.checker.failed()
        if violation is not None:
            raise RunFailed(f"invariant broken: {violation}")

    def _wait_converged(
        self, objects: list[tuple[str, str]], since: float, *, record: bool = False
    ) -> None:
        waiting = dict.fromkeys(objects, since)
        while waiting:
            self._check()
            for kind, name in list(waiting):
                if self._converged(kind, name):
                    seconds = time.time() - since
                    del waiting[(kind, name)]
                    if record:
                        self.converge.append(seconds)
                        self.per_object.setdefault(kind, []).append(round(seconds, 2))
            if waiting and time.time() - since > CONVERGE_BOUND:
                stuck = ", ".join(f"{k}/{n}" for k, n in waiting)
                raise RunFailed(f"did not converge within {CONVERGE_BOUND:.0f}s: {stuck}")
            time.sleep(0.5)

    def _converged(self, kind: str, name: str) -> bool:
        assert self.checker is not None
        try:
            obj = self.env.cluster.rest.get(f"{COLLECTIONS[kind]}/{name}")  # type: ignore[union-attr]
        except Exception:
            return False
        if not converged(kind, obj):
            return False
        uid = obj["metadata"]["uid"]
        pods = [
            p
            for p in self.checker.objects("pods")
            if live(p)
            and any(r.get("uid") == uid for r in p["metadata"].get("ownerReferences") or [])
        ]
        replicas = int(obj["spec"].get("replicas", 1))
        claims = {c["metadata"]["name"]: c for c in self.checker.objects("claims")}
        if kind in ("clonesets", "statefulsets") and claim_problems(pods, claims, {uid}):
            return False
        if kind == "clonesets":
            return len(pods) == replicas
        if kind == "statefulsets":
            reserved = {int(o) for o in obj["spec"].get("reserveOrdinals") or []}
            wanted = [o for o in range(replicas + len(reserved)) if o not in reserved][:replicas]
            return sorted(int(ordinal(p)) for p in pods) == wanted
        return True

    def _scrape(self) -> None:
        while not self._scraping.wait(3.0):
            for slot in self.env.slots:
                slot.scrape()

    # ---- the end ---------------------------------------------------------------------

    def _record(self, failure: str | None) -> dict[str, Any]:
        checker, proxy, chaos = self.checker, self.proxy, self.chaos
        for slot in self.env.slots:
            slot.scrape()
        if checker is not None:
            checker.close()
            if failure is None and checker.failed() is not None:
                failure = f"invariant broken: {checker.failed()}"
        injected = proxy.counts() if proxy else {}
        metrics = manager_figures(self.env.slots)
        missing = retries_shown(metrics, injected) if failure is None and proxy else []
        if missing:
            failure = "; ".join(missing)
        counts = chaos.counts if chaos else {}
        if proxy is not None:
            with (self.workdir / "faults.jsonl").open("w") as out:
                for fault in proxy.injected:
                    out.write(json.dumps(fault.__dict__) + "\n")
        return {
            "passed": failure is None,
            "failure": failure,
            "duration_seconds": round(time.time() - self.started, 1),
            "rounds": self.form.rounds,
            "faults_injected": dict(sorted(injected.items())),
            "faults_injected_total": sum(injected.values()),
            "proxy_requests": proxy.requests if proxy else 0,
            "apiserver_restarts": counts.get("apiserver_restarts", 0),
            "etcd_restarts": counts.get("etcd_restarts", 0),
            "manager_kills": counts.get("kills", 0),
            "leader_kills": counts.get("leader_kills", 0),
            "manager_exits_on_their_own": counts.get("manager_exits", 0),
            "kills_by_signal": {
                "SIGKILL": counts.get("kills_SIGKILL", 0),
                "SIGTERM": counts.get("kills_SIGTERM", 0),
            },
            "script_actions": self.script.actions if hasattr(self, "script") else 0,
            "invariant_violations": len(checker.violations) if checker else 0,
            "first_violation": str(checker.violations[0])
            if checker and checker.violations
            else None,
            "converge_seconds_after_faults": percentiles(self.converge),
            "converge_seconds_by_kind": self.per_object,
            "converge_bound_seconds": CONVERGE_BOUND,
            "checker": {
                "pod_state_checks": checker.checks if checker else 0,
                "writes_checked_against_lease": checker.writes_checked if checker else 0,
                "lease_holders_seen": len(checker.leader_changes) if checker else 0,
                **(lease_history_summary(checker.audit) if checker else {}),
            },
            "managers": metrics,
        }

    def teardown(self) -> None:
        self._scraping.set()
        if self.chaos is not None:
            self.chaos.close()
        if self.proxy is not None:
            self.proxy.stop_faults()
        self.env.stop()
        if self.proxy is not None:
            self.proxy.__exit__(None, None, None)
