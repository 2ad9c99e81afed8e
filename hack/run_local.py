#!/usr/bin/env python3
"""``make run``: a local cluster, kruise-manager, a sample CloneSet and a sample Advanced
StatefulSet, in the foreground.

Starts a local cluster (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
kwok fake nodes), installs the apps.kruise.io CRDs and webhook configurations so the API
server calls the webhooks at ``https://127.0.0.1:<port>``, writes the kubeconfig to
``.run/kubeconfig``, runs ``kruise-manager`` as a child process with its logs on this
terminal, waits for its ``/readyz``, applies ``config/samples/apps_v1alpha1_cloneset.yaml``
and ``config/samples/apps_v1beta1_statefulset.yaml`` (a headless Service and a StatefulSet
with ``reserveOrdinals``) and prints what to try, with the BroadcastJob and AdvancedCronJob
samples to apply by hand. Ctrl-C (or SIGTERM) stops the manager, then the cluster, and
exits 0.

Usage: .venv/bin/python hack/run_local.py [--nodes N] [--run-dir DIR] [-- MANAGER-FLAGS...]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import fcntl
import http.client
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType
from typing import IO, Any

import yaml

from kruise.apis.apps.v1beta1.ordinals import ordinal_range
from kruise.runtime.envtest import (
    Binaries,
    EnvtestError,
    LocalCluster,
    LocalClusterOptions,
    NodeSpec,
    WebhookEndpoint,
    install_crds,
    install_webhooks,
)
from kruise.runtime.envtest.ports import free_port
from kruise.runtime.envtest.rest import RestError

ROOT = Path(__file__).resolve().parents[1]
CRDS = ROOT / "config" / "crd" / "bases"
WEBHOOKS = ROOT / "config" / "webhook" / "manifests.yaml"
SAMPLE = ROOT / "config" / "samples" / "apps_v1alpha1_cloneset.yaml"
STATEFULSET_SAMPLE = ROOT / "config" / "samples" / "apps_v1beta1_statefulset.yaml"
SAMPLES = (SAMPLE, STATEFULSET_SAMPLE)
# Printed, not applied: a job a minute would crowd the pods of the samples above.
BROADCASTJOB_SAMPLE = ROOT / "config" / "samples" / "apps_v1alpha1_broadcastjob.yaml"
ADVANCEDCRONJOB_SAMPLE = ROOT / "config" / "samples" / "apps_v1alpha1_advancedcronjob.yaml"
MOVED_ORDINAL = 3  # the StatefulSet pod the printed patch moves off its ordinal
# The REST collection of each kind the samples hold, by (apiVersion, kind).
PLURALS = {
    ("apps.kruise.io/v1alpha1", "CloneSet"): "clonesets",
    ("apps.kruise.io/v1beta1", "StatefulSet"): "statefulsets",
    ("v1", "Service"): "services",
}
HOST = "127.0.0.1"
READY_TIMEOUT = 180.0
SAMPLE_TIMEOUT = 60.0
MANAGER_GRACE = 45.0  # kruise-manager's own --graceful-shutdown-timeout is 30s
NEW_IMAGE = "nginx:1.26"
PROG = "run_local"
POD_COLUMNS = (
    "custom-columns=NAME:.metadata.name,UID:.metadata.uid,NODE:.spec.nodeName,"
    "IMAGE:.spec.containers[0].image,STATUS:.status.phase,"
    "RESTARTS:.status.containerStatuses[0].restartCount"
)


class Failure(Exception):
    """Something went wrong; the message is the one line the user sees."""


class Stop(BaseException):
    """SIGINT, SIGTERM or SIGHUP arrived."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Signals:
    """The first stop signal raises ``Stop`` wherever the main thread is; once shutting
    down, signals only ask to hurry (a second Ctrl-C kills the manager at once)."""

    STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self) -> None:
        self.hurry = False
        for sig in self.STOP_SIGNALS:
            signal.signal(sig, self._raise)

    def _raise(self, signum: int, frame: FrameType | None) -> None:
        self.shutting_down()
        raise Stop(signum)

    def _hurry(self, signum: int, frame: FrameType | None) -> None:
        self.hurry = True

    def shutting_down(self) -> None:
        for sig in self.STOP_SIGNALS:
            signal.signal(sig, self._hurry)


def say(line: str, stream: IO[str] | None = None) -> None:
    print(f"{PROG}: {line}", file=stream or sys.stdout, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hack/run_local.py",
        description="A local cluster, kruise-manager and the sample CloneSet and "
        "StatefulSet; Ctrl-C stops them.",
    )
    parser.add_argument("--nodes", type=int, default=3, help="number of kwok fake nodes")
    parser.add_argument(
        "--run-dir",
        type=Path,
        default=ROOT / ".run",
        help="where the kubeconfig and the webhook certificates go (default: .run/)",
    )
    parser.add_argument(
        "manager_args", nargs="*", help="extra kruise-manager flags, after '--' (e.g. -- -v 1)"
    )
    return parser


_PRCTL = ctypes.CDLL(None, use_errno=True).prctl
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the manager between fork and exec: SIGKILL it when we die. The parent is
    the main thread, which lives as long as this process; prctl is async-signal-safe."""
    _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _lock(run_dir: Path) -> IO[bytes]:
    """Hold ``run_dir/lock`` for as long as we run, so two runs never share a kubeconfig."""
    run_dir.mkdir(parents=True, exist_ok=True)
    lock = (run_dir / "lock").open("wb")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise Failure(f"another hack/run_local.py is using {run_dir}; stop it first") from None
    return lock


def _http_get(url: str) -> tuple[int, str] | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return None


def _exited(manager: subprocess.Popen[bytes]) -> Failure | None:
    code = manager.poll()
    if code is None:
        return None
    how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
    return Failure(f"kruise-manager {how}; stopping the cluster")


def _wait_ready(manager: subprocess.Popen[bytes], cluster: LocalCluster, url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    last: tuple[int, str] | None = None
    while True:
        if failure := _exited(manager):
            raise failure
        cluster.check()
        last = _http_get(url)
        if last is not None and last[0] == 200:
            return
        if time.monotonic() > deadline:
            answer = f"it answers {last[0]}" if last else "it does not answer"
            raise Failure(
                f"kruise-manager is not ready after {READY_TIMEOUT:.0f}s ({url}: {answer})"
            )
        time.sleep(0.5)


def load_samples() -> list[dict[str, Any]]:
    """Every object of the samples ``make run`` applies, in order."""
    return [doc for path in SAMPLES for doc in yaml.safe_load_all(path.read_text()) if doc]


def collection_of(obj: dict[str, Any]) -> str:
    """The REST collection ``obj`` is created in (namespace ``default`` unless it says)."""
    api_version, kind = obj["apiVersion"], obj["kind"]
    namespace = obj["metadata"].get("namespace", "default")
    prefix = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    return f"{prefix}/namespaces/{namespace}/{PLURALS[api_version, kind]}"


def _apply_sample(
    manager: subprocess.Popen[bytes], cluster: LocalCluster, sample: dict[str, Any]
) -> None:
    """Create one sample object. The API server may take a moment to trust the CA the
    manager just injected, so a failed webhook call is retried for a while."""
    what = f"{sample['kind']} {sample['metadata']['name']}"
    deadline = time.monotonic() + SAMPLE_TIMEOUT
    while True:
        try:
            cluster.rest.apply(collection_of(sample), sample)
            return
        except RestError as err:
            if "failed calling webhook" not in str(err) or time.monotonic() > deadline:
                raise Failure(f"could not apply the sample {what}: {err}") from None
        except OSError as err:
            raise Failure(f"could not apply the sample {what}: {err}") from None
        if failure := _exited(manager):
            raise failure
        time.sleep(0.5)


def _stop_manager(manager: subprocess.Popen[bytes] | None, signals: Signals) -> int | None:
    """SIGTERM, wait (a second Ctrl-C or the grace period ends the wait), SIGKILL."""
    if manager is None:
        return None
    if manager.poll() is None:
        say("stopping kruise-manager ...")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(manager.pid, signal.SIGTERM)
        deadline = time.monotonic() + MANAGER_GRACE
        while manager.poll() is None and not signals.hurry and time.monotonic() < deadline:
            time.sleep(0.1)
        if manager.poll() is None:
            reason = "on request" if signals.hurry else f"after {MANAGER_GRACE:.0f}s"
            say(f"killing kruise-manager {reason}")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(manager.pid, signal.SIGKILL)
            manager.wait()
            return None if signals.hurry else -signal.SIGKILL
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(manager.pid, signal.SIGKILL)  # anything it left in its session
    return manager.returncode


def pod_names(name: str, spec: dict[str, Any]) -> str:
    """The pods an Advanced StatefulSet with ``spec`` runs, as ``web-0, web-2, ...``."""
    return ", ".join(f"{name}-{ordinal}" for ordinal in ordinal_range(spec).ordinals())


def outcome(name: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    """What changing an Advanced StatefulSet's spec from ``before`` to ``after`` does to its
    pods (in OrderedReady, a new pod is Ready before a condemned one is deleted)."""
    old, new = set(ordinal_range(before).ordinals()), set(ordinal_range(after).ordinals())
    steps = [f"{name}-{o} is created" for o in sorted(new - old)]
    steps += [f"{name}-{o} is deleted" for o in sorted(old - new, reverse=True)]
    return f"    -> {', then '.join(steps)}: {pod_names(name, after)}"


def statefulset_hints(sample: dict[str, Any]) -> list[str]:
    """What to try with the sample StatefulSet: reserve one more ordinal, then scale in;
    the pods each step leaves are worked out from the sample's own spec."""
    name, spec = sample["metadata"]["name"], sample["spec"]
    reserved = [*spec.get("reserveOrdinals", []), MOVED_ORDINAL]
    patch = json.dumps({"spec": {"reserveOrdinals": reserved}}, separators=(",", ":"))
    moved = {**spec, "reserveOrdinals": reserved}
    scaled = {**moved, "replicas": moved["replicas"] - 1}
    selector = ",".join(f"{k}={v}" for k, v in spec["selector"]["matchLabels"].items())
    return [
        f"The StatefulSet {name} runs {spec['replicas']} pods and skips the reserved ordinals "
        f"{spec.get('reserveOrdinals', [])}: {pod_names(name, spec)}.",
        f"  kubectl get asts {name}",
        f"  kubectl get pods -l {selector} -w -o {shlex.quote(POD_COLUMNS)}",
        f"  kubectl patch asts {name} --type merge -p {shlex.quote(patch)}",
        outcome(name, spec, moved),
        f"  kubectl scale asts {name} --replicas={scaled['replicas']}",
        outcome(name, moved, scaled),
    ]


def job_hints(nodes: int) -> list[str]:
    """What to try with the BroadcastJob and AdvancedCronJob samples, which ``make run``
    leaves for the user to apply; ``nodes`` is the number of kwok nodes."""
    bcj = yaml.safe_load(BROADCASTJOB_SAMPLE.read_text())
    acj = yaml.safe_load(ADVANCEDCRONJOB_SAMPLE.read_text())
    bcj_name, acj_name = bcj["metadata"]["name"], acj["metadata"]["name"]
    bcj_app = bcj["spec"]["template"]["metadata"]["labels"]["app"]
    child_app = acj["spec"]["template"]["broadcastJobTemplate"]["metadata"]["labels"]["app"]
    ttl = bcj["spec"]["completionPolicy"]["ttlSecondsAfterFinished"]
    pause = json.dumps({"spec": {"paused": True}}, separators=(",", ":"))
    resume = json.dumps({"spec": {"paused": False}}, separators=(",", ":"))
    return [
        f"A BroadcastJob runs one pod to completion on each of the {nodes} nodes:",
        f"  kubectl apply -f {BROADCASTJOB_SAMPLE}",
        f"  kubectl get bcj {bcj_name} -w",
        f"    -> DESIRED {nodes}, then SUCCEEDED {nodes} and PHASE completed; "
        f"it deletes itself {ttl}s later",
        f"  kubectl get pods -l app={bcj_app} -o wide",
        f"An AdvancedCronJob starts such a BroadcastJob every minute "
        f"({acj['spec']['schedule']!r} in {acj['spec']['timeZone']}):",
        f"  kubectl apply -f {ADVANCEDCRONJOB_SAMPLE}",
        f"  kubectl get acj {acj_name} -w",
        f"  kubectl get bcj -l app={child_app}   # {acj_name}-<scheduled Unix time>",
        f"  kubectl patch acj {acj_name} --type merge -p {shlex.quote(pause)}",
        f"  kubectl patch acj {acj_name} --type merge -p {shlex.quote(resume)}",
    ]


def _hints(kubeconfig: Path, kubectl: Path, samples: list[dict[str, Any]], nodes: int) -> list[str]:
    sample = next(s for s in samples if s["kind"] == "CloneSet")
    statefulset = next(s for s in samples if s["kind"] == "StatefulSet")
    name = sample["metadata"]["name"]
    container = sample["spec"]["template"]["spec"]["containers"][0]["name"]
    selector = ",".join(f"{k}={v}" for k, v in sample["spec"]["selector"]["matchLabels"].items())
    image = {"name": container, "image": NEW_IMAGE}
    patch = json.dumps(
        {"spec": {"template": {"spec": {"containers": [image]}}}}, separators=(",", ":")
    )
    return [
        "Try it, in another terminal:",
        f"  export KUBECONFIG={kubeconfig}",
        f"  export PATH={kubectl.parent}:$PATH   # the pinned kubectl",
        "  kubectl get clone",
        f"  kubectl scale clone {name} --replicas=5",
        f"  kubectl patch clone {name} --type merge -p {shlex.quote(patch)}",
        f"  kubectl get pods -l {selector} -w -o {shlex.quote(POD_COLUMNS)}",
        "The patch updates the pods in place: the same names and UIDs, the container",
        "restarted with the new image (RESTARTS goes up).",
        *statefulset_hints(statefulset),
        *job_hints(nodes),
        "Ctrl-C here stops kruise-manager, then the cluster.",
    ]


def run(args: argparse.Namespace, signals: Signals) -> int:
    manager_bin = Path(sys.executable).with_name("kruise-manager")
    if not manager_bin.is_file():
        found = shutil.which("kruise-manager")
        if found is None:
            raise Failure("kruise-manager is not installed; run 'make setup'")
        manager_bin = Path(found)
    run_dir: Path = args.run_dir.resolve()
    lock = _lock(run_dir)
    kubeconfig = run_dir / "kubeconfig"
    cert_dir = run_dir / "webhook-certs"
    binaries = Binaries.default()
    binaries.require(
        "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "kubectl"
    )
    nodes = [NodeSpec(f"kwok-node-{i}") for i in range(args.nodes)]
    cluster = LocalCluster(LocalClusterOptions(binaries=binaries, nodes=nodes))
    manager: subprocess.Popen[bytes] | None = None
    code = 0
    try:
        started = time.monotonic()
        say(f"starting a local cluster with {args.nodes} kwok nodes in {cluster.workdir} ...")
        cluster.start()
        webhook_port = free_port(HOST)
        # No caBundle yet: kruise-manager's certificate controller injects its CA.
        endpoint = WebhookEndpoint(HOST, webhook_port, b"")
        install_crds(cluster.rest, [CRDS], endpoint)
        install_webhooks(cluster.rest, [WEBHOOKS], endpoint)
        shutil.copyfile(cluster.kubeconfig_path, kubeconfig)
        kubeconfig.chmod(0o600)
        say(f"cluster ready at {cluster.url} in {time.monotonic() - started:.1f}s")
        say(f"component logs: {cluster.logs_dir}")
        print(f"export KUBECONFIG={kubeconfig}", flush=True)
        print(f"kubectl: {binaries.kubectl}", flush=True)

        shutil.rmtree(cert_dir, ignore_errors=True)
        metrics_port, health_port = free_port(HOST), free_port(HOST)
        command = [
            str(manager_bin),
            f"--kubeconfig={kubeconfig}",
            f"--metrics-addr={HOST}:{metrics_port}",
            f"--health-probe-addr={HOST}:{health_port}",
            f"--webhook-host={HOST}",
            f"--webhook-port={webhook_port}",
            f"--webhook-cert-dir={cert_dir}",
            "--log-format=console",
            *args.manager_args,
        ]
        say("starting " + shlex.join(["kruise-manager", *command[1:]]))
        manager = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},  # its logs stream through pipes too
            start_new_session=True,  # Ctrl-C reaches us only; we stop it first, in order
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only calls prctl
        )
        readyz = f"http://{HOST}:{health_port}/readyz"
        _wait_ready(manager, cluster, readyz)
        say(
            f"kruise-manager ready: {readyz}, metrics http://{HOST}:{metrics_port}/metrics, "
            f"webhooks https://{HOST}:{webhook_port}"
        )
        samples = load_samples()
        for sample in samples:
            _apply_sample(manager, cluster, sample)
            meta = sample["metadata"]
            say(f"applied {sample['kind']} {meta.get('namespace', 'default')}/{meta['name']}")
        print(
            "\n".join(["", *_hints(kubeconfig, binaries.kubectl, samples, args.nodes), ""]),
            flush=True,
        )
        while True:
            if failure := _exited(manager):
                raise failure
            cluster.check()
            time.sleep(0.5)
    except Stop as stop:
        say(f"{stop} received (Ctrl-C again kills kruise-manager without waiting)")
    except (Failure, EnvtestError, OSError, yaml.YAMLError) as err:
        signals.shutting_down()
        code = 1
        say(f"error: {err}", sys.stderr)
    except Exception as err:  # one line, never a traceback
        signals.shutting_down()
        code = 1
        say(f"error: {type(err).__name__}: {err}", sys.stderr)
    finally:
        signals.shutting_down()
        manager_code = _stop_manager(manager, signals)
        if manager_code and code == 0:
            say(f"kruise-manager exited with code {manager_code}", sys.stderr)
            code = 1
        say("stopping the cluster ...")
        cluster.stop()
        kubeconfig.unlink(missing_ok=True)  # it would point at a server that is gone
        shutil.rmtree(cert_dir, ignore_errors=True)
        lock.close()
    say("stopped")
    return code


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    signals = Signals()
    try:
        return run(args, signals)
    except Stop:
        return 0  # before anything was started
    except (Failure, EnvtestError, OSError) as err:
        say(f"error: {err}", sys.stderr)
        return 1
    except Exception as err:  # one line, never a traceback
        say(f"error: {type(err).__name__}: {err}", sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
