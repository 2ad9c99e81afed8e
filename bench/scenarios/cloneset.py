"""The CloneSet benchmarks: ours and OpenKruise's Go manager, each on a local cluster.

Scenarios (bench/README.md says more):

- ``cloneset-scale-1000``: ``seconds_all_created`` and ``seconds_all_ready`` for scaling
  a CloneSet from 0 to 1000 pods on kwok nodes. Peers: ``openkruise-go`` (OpenKruise's
  manager v1.9.0, built by hack/build-openkruise.sh), ``kcm-replicaset`` (a Deployment of
  as many replicas, kube-controller-manager's ReplicaSet controller) and ``raw-creator``
  (bench/go/rawcreator, a plain concurrent creator of the same pods: the API server's
  limit at that client QPS).
- ``cloneset-inplace-500``: ``seconds_all_updated_ready``: a 500-pod CloneSet with
  ``updateStrategy: {type: InPlaceIfPossible, maxUnavailable: 50%}``, all Ready, gets a
  new image; the time until ``status.updatedReadyReplicas`` is 500 and every pod reports
  the new image in its container status and is Ready. Peer ``openkruise-go``.
- ``manager-resources``: ``peak_rss_mb`` (VmHWM) and ``cpu_seconds`` (utime + stime)
  of the manager process over the two scenarios above. Peer ``openkruise-go``.

Every contender gets a fresh ``LocalCluster`` per run (their CRDs share the group), the
same client QPS and burst (kube-controller-manager through ``--kube-api-qps/burst``), and
the same observer: a pod watch in this process that notes when each pod first appears
and when it is Ready. One run of one contender is one process::

    python bench/scenarios/cloneset.py run --contender kruise-py --phases scale,inplace

which prints one JSON line; ``bench/run.py`` drives the runs (``records``) and writes
the records.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

BENCH = Path(__file__).resolve().parents[1]
ROOT = BENCH.parent
if str(BENCH) not in sys.path:  # report.py lives one folder up
    sys.path.insert(0, str(BENCH))

import report  # noqa: E402

SCALE = "cloneset-scale-1000"
INPLACE = "cloneset-inplace-500"
RESOURCES = "manager-resources"
SCENARIOS = (SCALE, INPLACE, RESOURCES)

OURS = "kruise-py"
OPENKRUISE = "openkruise-go"
KCM = "kcm-replicaset"
RAW = "raw-creator"
CONTENDERS = (OURS, OPENKRUISE, KCM, RAW)
MANAGERS = (OURS, OPENKRUISE)

OPENKRUISE_VERSION = "v1.9.0"
GOALS: dict[tuple[str, str], float] = {
    (SCALE, OPENKRUISE): 1.0,
    (SCALE, RAW): 1.2,
    (INPLACE, OPENKRUISE): 1.0,
}
METRICS: dict[str, tuple[str, ...]] = {
    SCALE: ("seconds_all_created", "seconds_all_ready"),
    INPLACE: ("seconds_all_updated_ready",),
    RESOURCES: ("peak_rss_mb", "cpu_seconds"),
}
PEERS: dict[str, tuple[str, ...]] = {
    SCALE: (OPENKRUISE, KCM, RAW),
    INPLACE: (OPENKRUISE,),
    RESOURCES: (OPENKRUISE,),
}
# The phase a metric is measured in; the resources cover both phases.
PHASE_OF: dict[str, str] = {
    "seconds_all_created": "scale",
    "seconds_all_ready": "scale",
    "seconds_all_updated_ready": "inplace",
    "peak_rss_mb": "resources",
    "cpu_seconds": "resources",
}

DEFAULT_QPS = 100.0
DEFAULT_BURST = 200
# The scheduler is shared infrastructure, not a contender: it gets limits high enough
# that binding pods is never what the contenders wait for (its default is 50/100).
SCHEDULER_QPS = 1000
SCHEDULER_BURST = 2000
NODE_PODS = 400
IMAGE = "example.com/bench/web:1.0"
NEW_IMAGE = "example.com/bench/web:2.0"
SCALE_NAME = "bench-scale"
INPLACE_NAME = "bench-inplace"
MANAGER_NAMESPACE = "kruise-system"
CLONESET_API = "apps.kruise.io/v1alpha1"
# OpenKruise v1.9.0 stores CloneSets as v1beta1 and its controller works on v1beta1, so
# its side is driven in v1beta1 (v1alpha1 would add a conversion webhook call to every
# read and write); kruise-py, a port of v0.7.0, serves v1alpha1 only.
API_VERSIONS = {OURS: CLONESET_API, OPENKRUISE: "apps.kruise.io/v1beta1"}


# ---- sizes and the pieces every contender shares -------------------------------------


@dataclass(frozen=True)
class Sizes:
    runs: int
    scale_pods: int
    inplace_pods: int
    qps: float
    burst: int

    @classmethod
    def for_args(cls, args: argparse.Namespace) -> Sizes:
        quick = bool(getattr(args, "quick", False))
        return cls(
            runs=getattr(args, "runs", None) or 1,
            scale_pods=getattr(args, "cloneset_pods", None) or (100 if quick else 1000),
            inplace_pods=getattr(args, "inplace_pods", None) or (50 if quick else 500),
            qps=getattr(args, "client_qps", None) or DEFAULT_QPS,
            burst=getattr(args, "client_burst", None) or DEFAULT_BURST,
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """bench/run.py's options for these scenarios."""
    parser.add_argument(
        "--cloneset-pods", type=int, help=f"pods of {SCALE} (default 1000, quick 100)"
    )
    parser.add_argument(
        "--inplace-pods", type=int, help=f"pods of {INPLACE} (default 500, quick 50)"
    )
    parser.add_argument(
        "--client-qps",
        type=float,
        help=f"client QPS of every CloneSet contender (default {DEFAULT_QPS:g})",
    )
    parser.add_argument(
        "--client-burst",
        type=int,
        help=f"client burst of every CloneSet contender (default {DEFAULT_BURST})",
    )


def phases_for(contender: str, chosen: Iterable[str]) -> tuple[str, ...]:
    """The phases a contender runs for the chosen scenarios (empty: it does not run)."""
    chosen = set(chosen)
    phases = []
    if SCALE in chosen or (RESOURCES in chosen and contender in MANAGERS):
        phases.append("scale")
    if contender in MANAGERS and chosen & {INPLACE, RESOURCES}:
        phases.append("inplace")
    if contender not in MANAGERS and SCALE not in chosen:
        return ()
    return tuple(phases)


def node_count(pods: int, per_node: int = NODE_PODS) -> int:
    """Fake nodes for ``pods`` pods with a quarter to spare (at least two)."""
    return max(2, math.ceil(pods * 1.25 / per_node))


def pod_template(app: str, image: str = IMAGE) -> dict[str, Any]:
    """The pod template of every contender's pods (a web server's, kept small)."""
    return {
        "metadata": {"labels": {"app": app, "bench": "cloneset"}},
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": image,
                    "ports": [{"name": "http", "containerPort": 8080}],
                    "env": [{"name": "APP_ENV", "value": "bench"}],
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                }
            ],
            "terminationGracePeriodSeconds": 0,
        },
    }


def cloneset(
    name: str,
    namespace: str,
    replicas: int,
    *,
    image: str = IMAGE,
    inplace: bool = False,
    api_version: str = CLONESET_API,
) -> dict[str, Any]:
    """A CloneSet; ``inplace``: ``{type: InPlaceIfPossible, maxUnavailable: 50%}``, which
    v1beta1 spells ``{type: RollingUpdate, rollingUpdate: {podUpdatePolicy: ...}}``."""
    spec: dict[str, Any] = {
        "replicas": replicas,
        "selector": {"matchLabels": {"app": name}},
        "template": pod_template(name, image),
    }
    if inplace and api_version.endswith("/v1alpha1"):
        spec["updateStrategy"] = {"type": "InPlaceIfPossible", "maxUnavailable": "50%"}
    elif inplace:
        spec["updateStrategy"] = {
            "type": "RollingUpdate",
            "rollingUpdate": {"podUpdatePolicy": "InPlaceIfPossible", "maxUnavailable": "50%"},
        }
    return {
        "apiVersion": api_version,
        "kind": "CloneSet",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def deployment(name: str, namespace: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": pod_template(name),
        },
    }


def openkruise_webhook_configs(
    manifests: Sequence[dict[str, Any]], patches: Sequence[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """OpenKruise's webhook configurations as its kustomization makes them: the name
    prefixed with ``kruise-`` and each webhook merged with its entry of
    ``patch_manifests.yaml`` (namespace and object selectors). The manager fills in the
    caBundle and, with WEBHOOK_HOST set, a URL instead of the Service."""
    by_name: dict[tuple[str, str], dict[str, Any]] = {}
    for patch in patches:
        kind = str(patch.get("kind"))
        for webhook in patch.get("webhooks") or []:
            by_name[(kind, webhook["name"])] = webhook
    configs = []
    for doc in manifests:
        kind = str(doc.get("kind"))
        if kind not in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
            continue
        config = copy.deepcopy(doc)
        name = config["metadata"]["name"]
        if not name.startswith("kruise-"):
            config["metadata"]["name"] = f"kruise-{name}"
        for webhook in config.get("webhooks") or []:
            extra = by_name.get((kind, webhook["name"])) or {}
            webhook.update({k: copy.deepcopy(v) for k, v in extra.items() if k != "name"})
        configs.append(config)
    return configs


def openkruise_crds(
    crds: Sequence[dict[str, Any]],
    kustomization: dict[str, Any],
    patches: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    """OpenKruise's CRDs as its kustomization makes them: the CRDs whose
    ``webhook_in_*`` patch it lists get a conversion webhook (``spec.conversion``), which
    the manager then points at itself (URL and caBundle)."""
    listed = {Path(str(p)).name for p in kustomization.get("patchesStrategicMerge") or []}
    conversions = {
        patch["metadata"]["name"]: patch["spec"]["conversion"]
        for patch in patches
        if patch.get("kind") == "CustomResourceDefinition"
        and (patch.get("spec") or {}).get("conversion")
        and f"webhook_in_{patch['metadata']['name'].split('.')[0]}.yaml" in listed
    }
    out = []
    for crd in crds:
        patched = copy.deepcopy(crd)
        if patched["metadata"]["name"] in conversions:
            patched["spec"]["conversion"] = copy.deepcopy(conversions[patched["metadata"]["name"]])
        out.append(patched)
    return out


# ---- what the observer sees ----------------------------------------------------------


def pod_ready(pod: dict[str, Any]) -> bool:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


def reports_image(pod: dict[str, Any], image: str) -> bool:
    """Every container's spec and status name ``image``."""
    containers = (pod.get("spec") or {}).get("containers") or []
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    if not containers or len(statuses) < len(containers):
        return False
    return all(c.get("image") == image for c in containers) and all(
        s.get("image") == image for s in statuses
    )


@dataclass
class ScaleTracker:
    """When the ``want``-th pod appeared and when ``want`` pods were Ready at once."""

    want: int
    t0: float = 0.0
    seen: set[str] = field(default_factory=set)
    ready: set[str] = field(default_factory=set)
    all_created_at: float | None = None
    all_ready_at: float | None = None

    def observe(self, event_type: str, pod: dict[str, Any], now: float) -> None:
        uid = pod["metadata"]["uid"]
        if event_type == "DELETED" or pod["metadata"].get("deletionTimestamp"):
            self.seen.discard(uid)
            self.ready.discard(uid)
            return
        self.seen.add(uid)
        if pod_ready(pod):
            self.ready.add(uid)
        else:
            self.ready.discard(uid)
        if self.all_created_at is None and len(self.seen) >= self.want:
            self.all_created_at = now
        if self.all_ready_at is None and len(self.ready) >= self.want:
            self.all_ready_at = now

    @property
    def done(self) -> bool:
        return self.all_ready_at is not None and self.all_created_at is not None

    def figures(self) -> dict[str, float]:
        if self.all_created_at is None or self.all_ready_at is None:
            raise ValueError("not done")
        return {
            "seconds_all_created": self.all_created_at - self.t0,
            "seconds_all_ready": self.all_ready_at - self.t0,
        }

    def progress(self) -> str:
        return f"{len(self.seen)}/{self.want} pods seen, {len(self.ready)} Ready"


@dataclass
class InPlaceTracker:
    """Done when the CloneSet reports ``want`` updated Ready replicas for the new spec
    and ``want`` live pods report the new image and are Ready."""

    want: int
    image: str
    generation: int
    t0: float = 0.0
    updated: set[str] = field(default_factory=set)
    uids: set[str] = field(default_factory=set)
    status_ok: bool = False
    done_at: float | None = None

    def observe_pod(self, event_type: str, pod: dict[str, Any], now: float) -> None:
        uid = pod["metadata"]["uid"]
        if event_type == "DELETED" or pod["metadata"].get("deletionTimestamp"):
            self.updated.discard(uid)
        else:
            self.uids.add(uid)
            if pod_ready(pod) and reports_image(pod, self.image):
                self.updated.add(uid)
            else:
                self.updated.discard(uid)
        self._check(now)

    def observe_cloneset(self, obj: dict[str, Any], now: float) -> None:
        status = obj.get("status") or {}
        self.status_ok = (
            int(status.get("observedGeneration") or 0) >= self.generation
            and int(status.get("updatedReadyReplicas") or 0) == self.want
        )
        self._check(now)

    def _check(self, now: float) -> None:
        if self.done_at is None and self.status_ok and len(self.updated) >= self.want:
            self.done_at = now

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def figures(self) -> dict[str, float]:
        if self.done_at is None:
            raise ValueError("not done")
        return {"seconds_all_updated_ready": self.done_at - self.t0}

    def progress(self) -> str:
        state = "status done" if self.status_ok else "status not yet"
        return f"{len(self.updated)}/{self.want} pods updated and Ready, {state}"


def parse_proc(status_text: str, stat_text: str, clock_ticks: int) -> tuple[float, float]:
    """(peak RSS in MiB from VmHWM, CPU seconds from utime + stime) of one process."""
    peak_kb = 0
    for line in status_text.splitlines():
        if line.startswith("VmHWM:"):
            peak_kb = int(line.split()[1])
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat_text.rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return peak_kb / 1024, (utime + stime) / clock_ticks


def proc_usage(pid: int) -> tuple[float, float]:
    return parse_proc(
        Path(f"/proc/{pid}/status").read_text(),
        Path(f"/proc/{pid}/stat").read_text(),
        os.sysconf("SC_CLK_TCK"),
    )


# ---- records -------------------------------------------------------------------------


@dataclass
class Outcome:
    """A contender's runs: each run's JSON result, and why a run or phase failed."""

    name: str
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None  # the contender could not run at all (build, setup)

    def figures(self, metric: str) -> list[float]:
        return [float(r[metric]) for r in self.results if r.get(metric) is not None]

    def why_not(self, metric: str) -> str | None:
        """Why ``metric`` has no figure from this contender; None when it has one."""
        if self.figures(metric):
            return None
        if self.error:
            return self.error
        phase = PHASE_OF[metric]
        for result in reversed(self.results):
            errors = result.get("errors") or {}
            why = errors.get(phase) or errors.get("setup")
            if why:
                logs = f" (logs: {result['logs']})" if result.get("logs") else ""
                return f"{why}{logs}"
        return f"{self.name} did not run"


def context_note(scenario: str, sizes: Sizes, results: Sequence[dict[str, Any]]) -> str:
    pods = sizes.inplace_pods if scenario == INPLACE else sizes.scale_pods
    nodes = next((r["nodes"] for r in results if r.get("nodes")), node_count(pods))
    text = (
        f"{pods} pods on {nodes} kwok nodes; client QPS {sizes.qps:g}, burst {sizes.burst} "
        f"for every contender; one fresh local cluster per contender and run; "
        f"openkruise-go = OpenKruise {OPENKRUISE_VERSION}'s manager"
    )
    if scenario != RESOURCES:
        text += (
            f"; kube-scheduler at QPS {SCHEDULER_QPS}; times from the scale/update request "
            "to the last pod event seen by a pod watch in the driver"
        )
    if scenario == SCALE:
        text += (
            "; CloneSet pods carry the InPlaceUpdateReady readiness gate, so Ready needs the "
            "manager's condition write too (Deployment and raw pods have none)"
        )
    if scenario == RESOURCES:
        text += (
            f"; the manager process over {SCALE} ({sizes.scale_pods} pods) and {INPLACE} "
            f"({sizes.inplace_pods} pods): peak = VmHWM since it started, CPU = utime + stime "
            "from the scale request to the end of the in-place update"
        )
    return text


def make_records(
    chosen: Iterable[str], sizes: Sizes, outcomes: dict[str, Outcome]
) -> list[report.Record]:
    """One record per chosen scenario, metric and peer, ours against each peer."""
    ours = outcomes.get(OURS) or Outcome(OURS, error=f"{OURS} did not run")
    records = []
    all_results = [r for o in outcomes.values() for r in o.results]
    for scenario in SCENARIOS:
        if scenario not in set(chosen):
            continue
        context = context_note(scenario, sizes, all_results)
        for metric in METRICS[scenario]:
            for peer_name in PEERS[scenario]:
                peer = outcomes.get(peer_name) or Outcome(
                    peer_name, error=f"{peer_name} did not run"
                )
                notes = []
                if why := ours.why_not(metric):
                    notes.append(f"ours: {why}")
                if why := peer.why_not(metric):
                    notes.append(f"{peer_name}: {why}")
                if scenario == INPLACE:
                    notes += recreated_notes([ours, peer])
                notes.append(context)
                records.append(
                    report.make_record(
                        scenario,
                        metric,
                        ours.figures(metric),
                        peer_name,
                        peer.figures(metric),
                        goal=GOALS.get((scenario, peer_name)),
                        note="; ".join(notes),
                    )
                )
    return records


def recreated_notes(outcomes: Sequence[Outcome]) -> list[str]:
    notes = []
    for outcome in outcomes:
        recreated = [r.get("recreated_pods") for r in outcome.results]
        if any(recreated):
            notes.append(f"{outcome.name} recreated pods instead of updating in place: {recreated}")
    return notes


# ---- the driver (bench/run.py) -------------------------------------------------------


class Build(Protocol):
    def wait(self) -> Path | str: ...


@dataclass
class ScriptBuild:
    """hack/build-openkruise.sh in the background; ``wait`` gives its folder or why not."""

    folder: Path
    process: subprocess.Popen[str] | None = None
    log: Path | None = None
    error: str | None = None

    @classmethod
    def start(cls) -> ScriptBuild:
        script = ROOT / "hack" / "build-openkruise.sh"
        folder = Path(
            subprocess.run(
                ["bash", str(script), "--print-dir"], capture_output=True, text=True, check=True
            ).stdout.strip()
        )
        build = cls(folder)
        if openkruise_ready(folder):
            return build
        folder.parent.mkdir(parents=True, exist_ok=True)
        build.log = folder.parent / f"build-openkruise-{OPENKRUISE_VERSION}.log"
        with build.log.open("w") as out:
            build.process = subprocess.Popen(
                ["nice", "-n", "10", "bash", str(script)],
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )
        return build

    def wait(self) -> Path | str:
        if self.process is not None:
            self.process.wait()
            self.process = None
            if not openkruise_ready(self.folder):
                failed = self.folder / "BUILD_FAILED"
                why = failed.read_text().strip() if failed.exists() else ""
                self.error = (
                    f"hack/build-openkruise.sh failed ({why[:400] or 'see ' + str(self.log)})"
                )
        if self.error:
            return self.error
        return self.folder


def openkruise_ready(folder: Path) -> bool:
    return (
        (folder / "kruise-manager").is_file()
        and (folder / "webhook" / "manifests.yaml").is_file()
        and any((folder / "crd").glob("*.yaml"))
    )


def manager_command() -> Path:
    return Path(sys.executable).parent / "kruise-manager"


def records(
    args: argparse.Namespace,
    chosen: Sequence[str],
    progress: Callable[[str], None],
    go_build: Callable[[str], Build],
) -> list[report.Record]:
    """Build what is missing, run every contender ``runs`` times, and make the records."""
    chosen = [s for s in chosen if s in SCENARIOS]
    sizes = Sizes.for_args(args)
    contenders = [c for c in CONTENDERS if phases_for(c, chosen)]
    outcomes = {c: Outcome(c) for c in contenders}
    builds: dict[str, Build] = {}
    if OPENKRUISE in outcomes:
        progress(f"openkruise {OPENKRUISE_VERSION}: hack/build-openkruise.sh (cached when built)")
        builds[OPENKRUISE] = ScriptBuild.start()
    if RAW in outcomes:
        builds[RAW] = go_build("rawcreator")
    built: dict[str, Path] = {}
    for name, build in builds.items():  # no compiler running while we measure
        got = build.wait()
        if isinstance(got, str):
            outcomes[name].error = got
            progress(f"{name} cannot run: {got}")
        else:
            built[name] = got
    if OURS in outcomes and not manager_command().exists():
        outcomes[OURS].error = f"{manager_command()} is not installed"
    script = str(Path(__file__).resolve())
    for i in range(sizes.runs):
        order = [*contenders[i % len(contenders) :], *contenders[: i % len(contenders)]]
        for name in order:
            outcome = outcomes[name]
            if outcome.error:
                continue
            command = [sys.executable, script, "run", "--contender", name]
            command += ["--phases", ",".join(phases_for(name, chosen))]
            command += ["--pods", str(sizes.scale_pods), "--inplace-pods", str(sizes.inplace_pods)]
            command += ["--qps", str(sizes.qps), "--burst", str(sizes.burst)]
            if name == OPENKRUISE:
                command += ["--openkruise-dir", str(built[OPENKRUISE])]
            if name == RAW:
                command += ["--rawcreator", str(built[RAW])]
            progress(f"cloneset: run {i + 1}/{sizes.runs}: {name}")
            result = run_child(command, child_timeout(sizes), progress)
            if isinstance(result, str):
                outcome.error = result
                progress(f"{name} failed: {result}")
                continue
            for phase, why in (result.get("errors") or {}).items():
                progress(f"{name}: {phase} failed: {why}")
            outcome.results.append(result)
    return make_records(chosen, sizes, outcomes)


def child_timeout(sizes: Sizes) -> float:
    return 300 + scale_deadline(sizes.scale_pods) + 2 * inplace_deadline(sizes.inplace_pods)


def scale_deadline(pods: int) -> float:
    return 120 + 0.5 * pods


def inplace_deadline(pods: int) -> float:
    return 120 + 1.0 * pods


def run_child(
    command: Sequence[str], timeout: float, progress: Callable[[str], None]
) -> dict[str, Any] | str:
    """Run one contender's run; its JSON result, or why it has none (one line).

    The child's progress lines are passed on as they come; if this process is stopped
    (Ctrl-C, SIGTERM), the child is stopped too, and it stops its cluster."""
    stdout = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        list(command),
        cwd=ROOT,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    other: list[str] = []

    def relay() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("[cloneset"):
                print(line.rstrip(), file=sys.stderr, flush=True)
            else:
                other.append(line.rstrip())
                del other[:-20]

    reader = threading.Thread(target=relay, daemon=True)
    reader.start()
    with stdout:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            stop_child(process)
            return f"the run did not finish in {timeout:.0f}s"
        except BaseException:
            stop_child(process)
            raise
        reader.join(5)
        stdout.seek(0)
        lines = stdout.read().strip().splitlines()
    if process.returncode != 0 or not lines:
        return f"exited {process.returncode}: {' | '.join(other[-3:])[:500]}"
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except ValueError:
        return f"no JSON result: {lines[-1][:200]}"
    return result


def stop_child(process: subprocess.Popen[str]) -> None:
    """SIGTERM (the child then stops its cluster and manager), then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(90)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---- one run of one contender (the child process) ------------------------------------


def say(message: str) -> None:
    print(f"[cloneset {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class RunError(Exception):
    """A phase could not be measured; the message says why, in one line."""


def tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line[:300] for line in text[-lines:])


def wait_until(
    check: Callable[[], bool], what: str, timeout: float, alive: Callable[[], None]
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        alive()
        if time.monotonic() > deadline:
            raise RunError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


@dataclass
class ManagerProcess:
    """A manager (ours or OpenKruise's) started as a subprocess against the cluster."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def check(self) -> None:
        code = self.process.poll()
        if code is not None:
            raise RunError(f"{self.name} exited {code}: {tail(self.log)}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_cluster(pods: int, qps: float, burst: int) -> Any:
    from kruise.runtime.envtest import LocalCluster, LocalClusterOptions, NodeSpec  # noqa: PLC0415

    class BenchCluster(LocalCluster):
        """A LocalCluster whose kube-scheduler is not the bottleneck."""

        def _start_component(self, name: str, args: list[str], port: int) -> Any:
            if name == "kube-scheduler":
                args = [
                    *args,
                    f"--kube-api-qps={SCHEDULER_QPS}",
                    f"--kube-api-burst={SCHEDULER_BURST}",
                ]
            return super()._start_component(name, args, port)

    capacity = {"cpu": "64", "memory": "512Gi", "pods": str(NODE_PODS)}
    nodes = [NodeSpec(f"kwok-node-{i}", capacity=dict(capacity)) for i in range(node_count(pods))]
    options = LocalClusterOptions(
        nodes=nodes, kube_api_qps=math.ceil(qps), kube_api_burst=burst, start_timeout=120
    )
    cluster = BenchCluster(options)
    cluster.start()
    return cluster


def create_namespace(cluster: Any, name: str, labels: dict[str, str] | None = None) -> None:
    from kruise.runtime.envtest.rest import RestError  # noqa: PLC0415

    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    if labels:
        body["metadata"]["labels"] = labels
    try:
        cluster.rest.request("POST", "/api/v1/namespaces", body)
    except RestError as err:
        if err.status != 409:
            raise
    cluster.wait_for_service_account(name, timeout=60)


def injected(cluster: Any, kind: str, name: str) -> bool:
    from kruise.runtime.envtest.install import WEBHOOK_COLLECTIONS  # noqa: PLC0415
    from kruise.runtime.envtest.rest import RestError  # noqa: PLC0415

    try:
        config = cluster.rest.get(f"{WEBHOOK_COLLECTIONS[kind]}/{name}")
    except RestError:
        return False
    hooks = config.get("webhooks") or []
    return bool(hooks) and all(
        w["clientConfig"].get("caBundle") and w["clientConfig"].get("url") for w in hooks
    )


def conversion_ready(cluster: Any, name: str) -> bool:
    from kruise.runtime.envtest.install import CRD_COLLECTION  # noqa: PLC0415
    from kruise.runtime.envtest.rest import RestError  # noqa: PLC0415

    try:
        crd = cluster.rest.get(f"{CRD_COLLECTION}/{name}")
    except RestError:
        return False
    webhook = ((crd.get("spec") or {}).get("conversion") or {}).get("webhook") or {}
    return bool((webhook.get("clientConfig") or {}).get("caBundle"))


def admission_live(cluster: Any, namespace: str) -> bool:
    """True once the API server calls the CloneSet validating webhook (a bad CloneSet,
    dry run, is refused by the webhook rather than admitted or refused by the schema)."""
    from kruise.runtime.envtest.rest import RestError  # noqa: PLC0415

    bad = {
        "apiVersion": CLONESET_API,
        "kind": "CloneSet",
        "metadata": {"name": "probe"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {}}},
    }
    try:
        cluster.rest.request(
            "POST",
            f"/apis/apps.kruise.io/v1alpha1/namespaces/{namespace}/clonesets?dryRun=All",
            bad,
        )
    except RestError as err:
        return "admission webhook" in str(err)
    return False


def start_manager(
    contender: str, cluster: Any, workdir: Path, args: argparse.Namespace
) -> ManagerProcess:
    from kruise.runtime.envtest import WebhookEndpoint  # noqa: PLC0415
    from kruise.runtime.envtest.install import WEBHOOK_COLLECTIONS, load_documents  # noqa: PLC0415
    from kruise.runtime.envtest.ports import free_port  # noqa: PLC0415
    from kruise.runtime.envtest.rest import url_ok  # noqa: PLC0415

    port, health, metrics = free_port(), free_port(), free_port()
    certs = workdir / "certs"
    env = {
        **os.environ,
        "POD_NAMESPACE": MANAGER_NAMESPACE,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_CERT_DIR": str(certs),
        "KUBECONFIG": str(cluster.kubeconfig_path),
    }
    create_namespace(cluster, MANAGER_NAMESPACE, {"control-plane": "controller-manager"})
    qps, burst = args.qps, args.burst
    converted: list[str] = []
    if contender == OURS:
        cluster.install_crds([ROOT / "config" / "crd" / "bases"])
        configs = load_documents([ROOT / "config" / "webhook" / "manifests.yaml"])
        command = [
            str(manager_command()),
            f"--kubeconfig={cluster.kubeconfig_path}",
            f"--metrics-addr=127.0.0.1:{metrics}",
            f"--health-probe-addr=127.0.0.1:{health}",
            "--webhook-host=127.0.0.1",
            f"--webhook-port={port}",
            f"--webhook-cert-dir={certs}",
            f"--kube-client-qps={qps:g}",
            f"--kube-client-burst={burst}",
            "--log-format=json",
        ]
    else:
        folder = Path(args.openkruise_dir)
        crds = openkruise_crds(
            load_documents([folder / "crd"]),
            next(iter(load_documents([folder / "crd-patches" / "kustomization.yaml"])), {}),
            load_documents(sorted((folder / "crd-patches").glob("webhook_in_*.yaml"))),
        )
        converted = [c["metadata"]["name"] for c in crds if c["spec"].get("conversion")]
        # The manager points the conversion webhooks at itself and fills in the CA.
        cluster.install_crds(crds, WebhookEndpoint("127.0.0.1", port, b""))
        create_namespace(cluster, "kruise-daemon-config")
        patches = folder / "webhook" / "patch_manifests.yaml"
        configs = openkruise_webhook_configs(
            load_documents([folder / "webhook" / "manifests.yaml"]),
            load_documents([patches]) if patches.exists() else [],
        )
        command = [
            str(folder / "kruise-manager"),
            "--enable-leader-election=false",
            f"--metrics-addr=127.0.0.1:{metrics}",
            f"--health-probe-addr=127.0.0.1:{health}",
            f"--rest-config-qps={math.ceil(qps)}",
            f"--rest-config-burst={burst}",
            "--enable-pprof=false",
        ]
    for doc in configs:
        cluster.rest.apply(WEBHOOK_COLLECTIONS[doc["kind"]], doc)
    log = workdir / f"{contender}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    manager = ManagerProcess(contender, process, log)

    def alive() -> None:
        manager.check()
        cluster.check()

    try:
        for doc in configs:
            name = doc["metadata"]["name"]
            wait_until(
                lambda d=doc, n=name: injected(cluster, d["kind"], n),
                f"the CA and URL in {name}",
                120,
                alive,
            )
        for name in converted:
            wait_until(
                lambda n=name: conversion_ready(cluster, n),
                f"the CA in the conversion webhook of {name}",
                120,
                alive,
            )
        wait_until(
            lambda: url_ok(f"http://127.0.0.1:{health}/readyz"), f"{contender} /readyz", 120, alive
        )
        create_namespace(cluster, "bench-probe")
        wait_until(
            lambda: admission_live(cluster, "bench-probe"),
            "the API server to call the webhooks",
            60,
            alive,
        )
    except BaseException:
        manager.stop()
        raise
    return manager


async def follow(
    client: Any,
    resource: Any,
    namespace: str,
    resource_version: str,
    handle: Callable[[str, dict[str, Any], float], None],
) -> None:
    """Feed every watch event of ``resource`` in ``namespace`` to ``handle`` with the
    time it arrived, reconnecting from the last resourceVersion when the stream ends."""
    rv = resource_version
    while True:
        async with client.watch(resource, namespace, resource_version=rv) as events:
            async for event_type, obj in events:
                rv = (obj.get("metadata") or {}).get("resourceVersion") or rv
                if event_type != "BOOKMARK":
                    handle(event_type, obj, time.monotonic())


async def wait_tracker(
    tracker: ScaleTracker | InPlaceTracker,
    watches: Sequence[asyncio.Task[None]],
    limit: float,
    what: str,
    alive: Callable[[], None],
) -> None:
    deadline = time.monotonic() + limit
    last_note = time.monotonic()
    try:
        while not tracker.done:
            for watch in watches:
                if watch.done():
                    raise RunError(f"the {what} watch ended: {watch.exception()!r}")
            alive()
            now = time.monotonic()
            if now > deadline:
                raise RunError(f"{what}: not done after {limit:.0f}s ({tracker.progress()})")
            if now - last_note > 15:
                say(f"{what}: {tracker.progress()}")
                last_note = now
            await asyncio.sleep(0.05)
    finally:
        for watch in watches:
            watch.cancel()
        await asyncio.gather(*watches, return_exceptions=True)


def cloneset_resource(contender: str) -> Any:
    from kruise.runtime.client import Resource  # noqa: PLC0415

    version = API_VERSIONS.get(contender, CLONESET_API).split("/")[1]
    return Resource("apps.kruise.io", version, "clonesets", "CloneSet")


async def scale_phase(
    client: Any,
    contender: str,
    args: argparse.Namespace,
    workdir: Path,
    alive: Callable[[], None],
) -> dict[str, float]:
    from kruise.runtime.client import DEPLOYMENTS, NAMESPACES, PODS  # noqa: PLC0415

    clonesets = cloneset_resource(contender)
    pods, namespace, name = args.pods, SCALE_NAME, SCALE_NAME
    with contextlib.suppress(Exception):
        await client.create(NAMESPACES, {"metadata": {"name": namespace}})
    raw: subprocess.Popen[str] | None = None
    if contender in MANAGERS:
        manifest = cloneset(name, namespace, 0, api_version=API_VERSIONS[contender])
        created = await client.create(clonesets, manifest, namespace)
        generation = created["metadata"]["generation"]
        await wait_async(
            lambda: observed(client, clonesets, namespace, name, generation),
            f"{contender} to reconcile the CloneSet (status.observedGeneration)",
            60,
            alive,
        )
        scale: Callable[[], Any] = lambda: client.patch(  # noqa: E731
            clonesets, name, {"spec": {"replicas": pods}}, namespace
        )
    elif contender == KCM:
        created = await client.create(DEPLOYMENTS, deployment(name, namespace, 0), namespace)
        generation = created["metadata"]["generation"]
        await wait_async(
            lambda: observed(client, DEPLOYMENTS, namespace, name, generation),
            "kube-controller-manager to observe the Deployment",
            60,
            alive,
        )
        scale = lambda: client.patch(  # noqa: E731
            DEPLOYMENTS, name, {"spec": {"replicas": pods}}, namespace
        )
    else:
        raw = start_rawcreator(args, workdir, namespace, name, pods)
        assert raw.stdout is not None
        assert raw.stdin is not None
        line = await asyncio.to_thread(raw.stdout.readline)
        if line.strip() != "ready":
            raw.kill()
            raise RunError(f"rawcreator did not start: {tail(workdir / 'rawcreator.log')}")
        stdin = raw.stdin

        async def scale() -> None:
            stdin.write("go\n")
            stdin.flush()

    listing = await client.list(PODS, namespace, label_selector=f"app={name}")
    tracker = ScaleTracker(pods)
    now = time.monotonic()
    for pod in listing.items:
        tracker.observe("ADDED", pod, now)
    watch = asyncio.create_task(
        follow(client, PODS, namespace, listing.resource_version, tracker.observe)
    )
    await asyncio.sleep(0.2)  # the watch is open before the clock starts
    tracker.t0 = time.monotonic()
    await scale()
    await wait_tracker(tracker, [watch], scale_deadline(pods), f"{contender} scale", alive)
    figures = tracker.figures()
    if raw is not None:
        out, _ = await asyncio.to_thread(raw.communicate)
        if raw.returncode != 0:
            raise RunError(f"rawcreator exited {raw.returncode}: {out.strip()[-300:]}")
        figures["rawcreator_seconds"] = json.loads(out.strip().splitlines()[-1])[
            "seconds_all_created"
        ]
    say(
        f"{contender}: {pods} pods created in {figures['seconds_all_created']:.1f}s, "
        f"Ready in {figures['seconds_all_ready']:.1f}s"
    )
    return figures


def start_rawcreator(
    args: argparse.Namespace, workdir: Path, namespace: str, name: str, pods: int
) -> subprocess.Popen[str]:
    template = workdir / "template.json"
    template.write_text(json.dumps(pod_template(name)))
    with (workdir / "rawcreator.log").open("w") as log:
        return subprocess.Popen(
            [
                args.rawcreator,
                f"-kubeconfig={args.kubeconfig}",
                f"-namespace={namespace}",
                f"-template={template}",
                f"-prefix={name}",
                f"-count={pods}",
                f"-qps={args.qps:g}",
                f"-burst={args.burst}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )


async def observed(client: Any, resource: Any, namespace: str, name: str, generation: int) -> bool:
    obj = await client.get(resource, name, namespace)
    return int((obj.get("status") or {}).get("observedGeneration") or 0) >= generation


async def wait_async(
    check: Callable[[], Any], what: str, limit: float, alive: Callable[[], None]
) -> None:
    deadline = time.monotonic() + limit
    while not await check():
        alive()
        if time.monotonic() > deadline:
            raise RunError(f"timed out after {limit:.0f}s waiting for {what}")
        await asyncio.sleep(0.2)


async def count_pods(client: Any, namespace: str, selector: str) -> int:
    from kruise.runtime.client import PODS  # noqa: PLC0415

    return len((await client.list(PODS, namespace, label_selector=selector)).items)


async def inplace_phase(
    client: Any, contender: str, args: argparse.Namespace, alive: Callable[[], None]
) -> dict[str, float]:
    from kruise.runtime.client import NAMESPACES, PODS, PatchType  # noqa: PLC0415

    clonesets = cloneset_resource(contender)
    pods, namespace, name = args.inplace_pods, INPLACE_NAME, INPLACE_NAME
    # The scale phase's pods go first, so the nodes and the manager's cache hold only
    # this CloneSet's pods. The driver deletes them itself once their CloneSet is gone:
    # the garbage collector would first wait (up to 30 s) to rediscover the CRD's kinds.
    with contextlib.suppress(Exception):
        await client.delete(clonesets, SCALE_NAME, SCALE_NAME, propagation_policy="Background")
    pods_path = PODS.path(SCALE_NAME)

    async def scale_pods_gone() -> bool:
        if await count_pods(client, SCALE_NAME, f"app={SCALE_NAME}") == 0:
            return True
        await client.transport.request(
            "DELETE", pods_path, params={"labelSelector": f"app={SCALE_NAME}"}
        )
        return False

    await wait_async(scale_pods_gone, "the scale phase's pods to go", 300, alive)
    with contextlib.suppress(Exception):
        await client.create(NAMESPACES, {"metadata": {"name": namespace}})
    manifest = cloneset(name, namespace, pods, inplace=True, api_version=API_VERSIONS[contender])
    await client.create(clonesets, manifest, namespace)

    async def all_ready() -> bool:
        obj = await client.get(clonesets, name, namespace)
        status = obj.get("status") or {}
        return (
            int(status.get("observedGeneration") or 0) >= obj["metadata"]["generation"]
            and status.get("readyReplicas") == pods
            and status.get("updatedReadyReplicas") == pods
        )

    await wait_async(
        all_ready, f"{pods} Ready pods of the in-place CloneSet", scale_deadline(pods), alive
    )
    current = await client.get(clonesets, name, namespace)
    listing = await client.list(PODS, namespace, label_selector=f"app={name}")
    before = {p["metadata"]["uid"] for p in listing.items}
    gates = sum(
        1
        for p in listing.items
        if any(
            g.get("conditionType") == "InPlaceUpdateReady"
            for g in (p.get("spec") or {}).get("readinessGates") or []
        )
    )
    tracker = InPlaceTracker(pods, NEW_IMAGE, current["metadata"]["generation"] + 1)
    now = time.monotonic()
    for pod in listing.items:
        tracker.observe_pod("ADDED", pod, now)
    sets = await client.list(clonesets, namespace)
    watches = [
        asyncio.create_task(
            follow(client, PODS, namespace, listing.resource_version, tracker.observe_pod)
        ),
        asyncio.create_task(
            follow(
                client,
                clonesets,
                namespace,
                sets.resource_version,
                lambda _t, obj, at: tracker.observe_cloneset(obj, at),
            )
        ),
    ]
    await asyncio.sleep(0.2)
    tracker.t0 = time.monotonic()
    patch = [
        {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": NEW_IMAGE}
    ]
    await client.patch(clonesets, name, patch, namespace, patch_type=PatchType.JSON)
    await wait_tracker(tracker, watches, inplace_deadline(pods), f"{contender} in-place", alive)
    figures: dict[str, float] = dict(tracker.figures())
    after = {
        p["metadata"]["uid"]
        for p in (await client.list(PODS, namespace, label_selector=f"app={name}")).items
    }
    figures["recreated_pods"] = len(after - before)
    figures["pods_with_inplace_gate"] = gates
    say(
        f"{contender}: {pods} pods updated in place and Ready in "
        f"{figures['seconds_all_updated_ready']:.1f}s ({len(after - before)} recreated)"
    )
    return figures


def run_contender(args: argparse.Namespace) -> dict[str, Any]:
    """One run of one contender: cluster, manager, phases. Always stops what it started."""
    phases = [p for p in args.phases.split(",") if p]
    contender = args.contender
    result: dict[str, Any] = {"contender": contender, "errors": {}}
    biggest = max(args.pods if "scale" in phases else 0, args.inplace_pods)
    workdir = Path(tempfile.mkdtemp(prefix=f"kruise-bench-{contender}-"))
    keep = False
    cluster = None
    manager: ManagerProcess | None = None
    try:
        say(f"{contender}: starting a local cluster ({node_count(biggest)} kwok nodes)")
        try:
            cluster = start_cluster(biggest, args.qps, args.burst)
            result["nodes"] = node_count(biggest)
            args.kubeconfig = str(cluster.kubeconfig_path)
            if contender in MANAGERS:
                say(f"{contender}: installing CRDs and webhooks, starting the manager")
                manager = start_manager(contender, cluster, workdir, args)
        except Exception as err:
            result["errors"]["setup"] = f"{type(err).__name__}: {str(err).splitlines()[0][:400]}"
            keep = True
            return result

        def alive() -> None:
            if manager is not None:
                manager.check()
            cluster.check()

        asyncio.run(
            measure(
                contender=contender,
                phases=phases,
                args=args,
                workdir=workdir,
                alive=alive,
                manager=manager,
                result=result,
            )
        )
        keep = bool(result["errors"]) or args.keep_logs
    finally:
        if manager is not None:
            manager.stop()
        if cluster is not None:
            if keep:  # the cluster's component logs go with the manager's
                with contextlib.suppress(OSError):
                    shutil.copytree(cluster.logs_dir, workdir / "cluster-logs")
            cluster.stop()
        if keep:
            result["logs"] = str(workdir)
            say(f"{contender}: logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


async def measure(
    *,
    contender: str,
    phases: Sequence[str],
    args: argparse.Namespace,
    workdir: Path,
    alive: Callable[[], None],
    manager: ManagerProcess | None,
    result: dict[str, Any],
) -> None:
    from kruise.runtime.client import Client, load_config  # noqa: PLC0415

    config = (await load_config(args.kubeconfig)).with_options(qps=-1.0, timeout=60.0)
    async with Client(config) as client:
        start_cpu = proc_usage(manager.process.pid)[1] if manager else 0.0
        measured = []
        for phase in phases:
            try:
                if phase == "scale":
                    figures = await scale_phase(client, contender, args, workdir, alive)
                else:
                    figures = await inplace_phase(client, contender, args, alive)
            except Exception as err:  # the other phase may still run
                why = f"{type(err).__name__}: {str(err).splitlines()[0][:400] if str(err) else ''}"
                if manager is not None and manager.process.poll() is None:
                    why += f" (manager log: {tail(manager.log, 2)[:300]})"
                result["errors"][phase] = why
                say(f"{contender}: {phase} failed: {why}")
                if manager is not None and manager.process.poll() is not None:
                    break
                continue
            result.update(figures)
            measured.append(phase)
        if manager is not None and manager.process.poll() is None:
            peak, cpu = proc_usage(manager.process.pid)
            if set(measured) >= {"scale", "inplace"}:
                result["peak_rss_mb"] = peak
                result["cpu_seconds"] = cpu - start_cpu
            elif set(phases) >= {"scale", "inplace"}:
                result["errors"]["resources"] = "measured over both CloneSet scenarios only"
            result["peak_rss_mb_any"] = peak


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one run of one CloneSet benchmark contender")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--contender", choices=CONTENDERS, required=True)
    run.add_argument("--phases", default="scale,inplace", help="scale,inplace")
    run.add_argument("--pods", type=int, default=1000)
    run.add_argument("--inplace-pods", type=int, default=500)
    run.add_argument("--qps", type=float, default=DEFAULT_QPS)
    run.add_argument("--burst", type=int, default=DEFAULT_BURST)
    run.add_argument("--openkruise-dir", help="hack/build-openkruise.sh's output folder")
    run.add_argument("--rawcreator", help="bench/go/rawcreator's binary")
    run.add_argument("--keep-logs", action="store_true", help="keep the logs of a good run")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop the cluster
    result = run_contender(args)
    print(json.dumps(result))  # failed phases are in result["errors"]
    return 0


if __name__ == "__main__":
    sys.exit(main())
