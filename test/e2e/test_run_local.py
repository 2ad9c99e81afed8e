"""``make run`` end to end: ``hack/run_local.py`` starts a local cluster, kruise-manager
(webhooks reached by URL), the sample CloneSet and StatefulSet, prints how to try them
(and the job samples to apply), and Ctrl-C stops everything, leaving no process behind.

The script runs once for the module; the tests read what it printed and look at the
cluster it made. The SIGINT test comes last and checks the shutdown.
"""

from __future__ import annotations

import ctypes
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from support.paths import REPO_ROOT
from support.polling import NotYet, eventually, eventually_blocking

from kruise.apis.apps.v1alpha1 import ADVANCEDCRONJOBS, BROADCASTJOBS, CLONESETS
from kruise.apis.apps.v1beta1 import STATEFULSETS
from kruise.runtime.client import PODS, Client
from kruise.runtime.envtest.rest import url_ok

SCRIPT = REPO_ROOT / "hack" / "run_local.py"
SAMPLE = "sample"
SAMPLE_NAMESPACE = "default"
SAMPLE_SELECTOR = "app=sample"
HINT = "Try it"
# Generous bounds on a shared two-core machine; they are deadlines, not measurements.
START_TIMEOUT = 420.0
PODS_TIMEOUT = 180.0
STOP_TIMEOUT = 150.0
COMPONENTS = (
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok",
    "kruise-manager",
)

T = TypeVar("T")
Obj = dict[str, Any]


def statefulset_controller_wired() -> bool:
    """Whether kruise-manager starts the Advanced StatefulSet controller."""
    main = REPO_ROOT / "cmd" / "kruise_manager" / "main.py"
    return "statefulset" in main.read_text().lower()


def cloneset_controller_wired() -> bool:
    """Whether the CloneSet controller exists and kruise-manager starts it."""
    if not (REPO_ROOT / "kruise" / "controller" / "cloneset").is_dir():
        return False
    sources = (REPO_ROOT / "cmd" / "kruise_manager").glob("*.py")
    return any("cloneset" in path.read_text().lower() for path in sources)


@dataclass(frozen=True)
class Proc:
    pid: int
    start_time: str  # field 22 of /proc/<pid>/stat: tells a reused pid apart
    cmdline: str


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name, which is in parentheses and may hold spaces.
    return stat.rsplit(")", 1)[1].split()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def descendants(root: int) -> list[Proc]:
    """Every living process below ``root``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        fields = _stat_fields(pid)
        if fields is not None:
            found.append(Proc(pid, fields[19], _cmdline(pid)))
        todo.extend(children.get(pid, []))
    return found


def still_running(proc: Proc) -> bool:
    fields = _stat_fields(proc.pid)
    return fields is not None and fields[19] == proc.start_time and fields[0] != "Z"


def processes_mentioning(text: str) -> list[str]:
    """Command lines of living processes that mention ``text``, other than this one."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        fields = _stat_fields(int(entry.name))
        cmdline = _cmdline(int(entry.name))
        if fields is not None and fields[0] != "Z" and text in cmdline:
            found.append(cmdline[:160])
    return found


def _terminate_with_parent() -> None:
    """In the child: SIGTERM it (so it cleans up) if this test process dies."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class RunLocal:
    """hack/run_local.py as a child process, with everything it prints kept."""

    process: subprocess.Popen[str]
    run_dir: Path
    lines: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    children: list[Proc] = field(default_factory=list)

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.lock:
                self.lines.append(line.rstrip("\n"))

    def output(self, last: int = 60) -> str:
        with self.lock:
            return "\n".join(self.lines[-last:])

    def line_matching(self, pattern: str, timeout: float = 0) -> re.Match[str]:
        """The first printed line matching ``pattern``, waiting up to ``timeout`` seconds
        for it; fails at once if the script exits first."""
        regex = re.compile(pattern)

        def printed() -> re.Match[str] | None:
            with self.lock:
                lines = list(self.lines)
            for line in lines:
                if match := regex.search(line):
                    return match
            if self.process.poll() is not None:
                pytest.fail(
                    f"run_local.py exited with {self.process.returncode} before printing "
                    f"{pattern!r}:\n{self.output()}"
                )
            return None

        try:
            return eventually_blocking(
                printed, timeout=timeout, interval=0.2, what=f"a line matching {pattern!r}"
            )
        except NotYet as late:
            pytest.fail(f"{late}\n{self.output()}")

    @property
    def kubeconfig(self) -> Path:
        return Path(self.line_matching(r"^export KUBECONFIG=(\S+)$").group(1))

    @property
    def kubectl(self) -> Path:
        return Path(self.line_matching(r"^kubectl: (\S+)$").group(1))

    @property
    def readyz(self) -> str:
        return self.line_matching(r"kruise-manager ready: (http://\S+/readyz)").group(1)

    @property
    def cluster_workdir(self) -> str:
        return self.line_matching(r"kwok nodes in (\S+) \.\.\.$").group(1)

    def hint(self, command: str) -> list[str]:
        """The printed command line starting with ``command``, split like a shell would."""
        return shlex.split(self.line_matching(rf"^\s+{re.escape(command)}").string)

    def hints(self, command: str) -> list[list[str]]:
        """Every printed command line starting with ``command``, split like a shell would."""
        regex = re.compile(rf"^\s+{re.escape(command)}")
        self.line_matching(regex.pattern)
        with self.lock:
            return [shlex.split(line) for line in self.lines if regex.search(line)]

    def kubectl_run(self, command: list[str]) -> str:
        """Run a printed kubectl command with the pinned kubectl and the printed kubeconfig."""
        assert command[0] == "kubectl", command
        env = {**os.environ, "KUBECONFIG": str(self.kubeconfig)}
        done = subprocess.run(
            [str(self.kubectl), *command[1:]],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"{shlex.join(command)}: {done.stderr}"
        return done.stdout

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def run_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunLocal]:
    run_dir = tmp_path_factory.mktemp("run-local") / "run"
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--run-dir", str(run_dir)],
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=_terminate_with_parent,  # noqa: PLW1509 - only calls prctl
    )
    run = RunLocal(process, run_dir)
    reader = threading.Thread(target=run.read, name="run-local-output", daemon=True)
    reader.start()
    try:
        run.line_matching(rf"^{HINT}", START_TIMEOUT)
        run.children = descendants(process.pid)
        yield run
    finally:
        run.stop()
        reader.join(10)
        print(f"run_local.py output (tail):\n{run.output(80)}")


def test_prints_the_kubeconfig_kubectl_and_what_to_try(run_local: RunLocal) -> None:
    assert run_local.kubeconfig == run_local.run_dir.resolve() / "kubeconfig"
    assert run_local.kubeconfig.is_file()
    assert run_local.kubectl.is_file()
    assert run_local.hint("kubectl get clone")
    assert run_local.hint("kubectl scale clone sample --replicas=5")
    patch = run_local.hint("kubectl patch clone sample --type merge -p")
    assert "image" in patch[-1]
    assert run_local.hint("kubectl get pods")
    assert run_local.hint("kubectl get asts web")
    assert run_local.hint("kubectl patch asts web --type merge -p")
    assert run_local.hint("kubectl scale asts web --replicas=3")
    assert len(run_local.hints("kubectl apply -f")) == 2
    assert run_local.hint("kubectl get bcj broadcastjob-sample -w")
    assert run_local.hint("kubectl get acj advancedcronjob-sample -w")
    assert "Ctrl-C" in run_local.output()


def test_runs_every_component_as_its_child(run_local: RunLocal) -> None:
    commands = " ".join(proc.cmdline for proc in run_local.children)
    for component in COMPONENTS:
        assert component in commands, f"{component} is not running under run_local.py"


async def test_sample_cloneset_exists_and_manager_is_ready(run_local: RunLocal) -> None:
    assert url_ok(run_local.readyz)
    async with await Client.connect(run_local.kubeconfig) as client:
        cloneset = await client.get(CLONESETS, SAMPLE, SAMPLE_NAMESPACE)
    assert cloneset["spec"]["replicas"] == 3
    assert cloneset["spec"]["updateStrategy"]["type"] == "InPlaceIfPossible"
    # Defaulted by the mutating webhook, which the API server called by URL.
    assert cloneset["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"
    assert SAMPLE in run_local.kubectl_run(run_local.hint("kubectl get clone"))


def _running(pods: list[Obj], image: str) -> bool:
    return all(
        pod["status"].get("phase") == "Running"
        and pod["spec"]["containers"][0]["image"] == image
        and [s.get("image") for s in pod["status"].get("containerStatuses", [])] == [image]
        for pod in pods
    )


@pytest.mark.skipif(
    not cloneset_controller_wired(),
    reason="the CloneSet controller (kruise/controller/cloneset) is not wired into kruise-manager",
)
async def test_sample_pods_run_and_the_printed_patch_updates_them_in_place(
    run_local: RunLocal,
) -> None:
    async with await Client.connect(run_local.kubeconfig) as client:

        async def sample_pods(image: str, count: int = 3) -> list[Obj] | None:
            pods = await client.list(PODS, SAMPLE_NAMESPACE, label_selector=SAMPLE_SELECTOR)
            live = [p for p in pods.items if not p["metadata"].get("deletionTimestamp")]
            return live if len(live) == count and _running(live, image) else None

        before = await eventually(
            lambda: sample_pods("nginx:1.25"),
            timeout=PODS_TIMEOUT,
            interval=0.5,
            what="3 Running pods of the sample",
        )
        uids = {p["metadata"]["name"]: p["metadata"]["uid"] for p in before}
        patch = run_local.hint("kubectl patch clone sample --type merge -p")
        new_image = re.search(r'"image":"([^"]+)"', patch[-1])
        assert new_image is not None
        run_local.kubectl_run(patch)
        after = await eventually(
            lambda: sample_pods(new_image.group(1)),
            timeout=PODS_TIMEOUT,
            interval=0.5,
            what=f"the sample's pods to run {new_image.group(1)}",
        )
        assert {p["metadata"]["name"]: p["metadata"]["uid"] for p in after} == uids


@pytest.mark.skipif(
    not statefulset_controller_wired(),
    reason="the StatefulSet controller is not wired into kruise-manager",
)
async def test_sample_statefulset_skips_its_reserved_ordinal_and_the_printed_patch_moves_a_pod(
    run_local: RunLocal,
) -> None:
    async with await Client.connect(run_local.kubeconfig) as client:

        async def running(names: list[str]) -> dict[str, str] | None:
            pods = await client.list(PODS, SAMPLE_NAMESPACE, label_selector="app=web")
            live = [p for p in pods.items if not p["metadata"].get("deletionTimestamp")]
            found = sorted(p["metadata"]["name"] for p in live)
            ready = all(p["status"].get("phase") == "Running" for p in live)
            return (
                {p["metadata"]["name"]: p["metadata"]["uid"] for p in live}
                if (found == names and ready)
                else None
            )

        before = await eventually(
            lambda: running(["web-0", "web-2", "web-3", "web-4"]),
            timeout=PODS_TIMEOUT,
            interval=0.5,
            what="the sample StatefulSet's pods web-0, web-2, web-3, web-4",
        )
        sts = await client.get(STATEFULSETS, "web", SAMPLE_NAMESPACE)
        assert sts["spec"]["reserveOrdinals"] == [1]
        run_local.kubectl_run(run_local.hint("kubectl patch asts web --type merge -p"))
        after = await eventually(
            lambda: running(["web-0", "web-2", "web-4", "web-5"]),
            timeout=PODS_TIMEOUT,
            interval=0.5,
            what="web-3 replaced by web-5",
        )
        assert {n: after[n] for n in ("web-0", "web-2", "web-4")} == {
            n: before[n] for n in ("web-0", "web-2", "web-4")
        }
        run_local.kubectl_run(run_local.hint("kubectl scale asts web --replicas=3"))
        await eventually(
            lambda: running(["web-0", "web-2", "web-4"]),
            timeout=PODS_TIMEOUT,
            interval=0.5,
            what="web-5 deleted by the printed scale",
        )


def job_controllers_wired() -> bool:
    """Whether kruise-manager starts the BroadcastJob and AdvancedCronJob controllers."""
    main = (REPO_ROOT / "cmd" / "kruise_manager" / "main.py").read_text()
    return "broadcastjob.setup" in main and "advancedcronjob.setup" in main


@pytest.mark.skipif(
    not job_controllers_wired(),
    reason="the BroadcastJob and AdvancedCronJob controllers are not wired into kruise-manager",
)
async def test_printed_job_samples_apply_and_the_broadcastjob_completes_on_every_node(
    run_local: RunLocal,
) -> None:
    """The job samples are printed, not applied; applied as printed, the BroadcastJob runs
    one pod on each of the 3 nodes and completes, and the AdvancedCronJob is taken up and
    pauses with the printed patch."""
    async with await Client.connect(run_local.kubeconfig) as client:
        assert not (await client.list(BROADCASTJOBS, SAMPLE_NAMESPACE)).items
        assert not (await client.list(ADVANCEDCRONJOBS, SAMPLE_NAMESPACE)).items
        bcj_file, acj_file = (
            next(h for h in run_local.hints("kubectl apply -f") if h[-1].endswith(name))
            for name in ("broadcastjob.yaml", "advancedcronjob.yaml")
        )
        run_local.kubectl_run(bcj_file)

        async def completed() -> Obj | None:
            job = await client.get(BROADCASTJOBS, "broadcastjob-sample", SAMPLE_NAMESPACE)
            return job if job.get("status", {}).get("phase") == "completed" else None

        job = await eventually(
            completed, timeout=PODS_TIMEOUT, interval=0.5, what="the sample BroadcastJob done"
        )
        assert (job["status"]["desired"], job["status"]["succeeded"]) == (3, 3)
        pods = await client.list(PODS, SAMPLE_NAMESPACE, label_selector="app=broadcastjob-sample")
        assert sorted(p["spec"]["nodeName"] for p in pods.items) == [
            f"kwok-node-{i}" for i in range(3)
        ]
        watch = run_local.hint("kubectl get bcj broadcastjob-sample -w")
        shown = run_local.kubectl_run(watch[:-1])  # without -w
        assert "completed" in shown

        run_local.kubectl_run(acj_file)

        async def taken_up() -> Obj | None:
            acj = await client.get(ADVANCEDCRONJOBS, "advancedcronjob-sample", SAMPLE_NAMESPACE)
            return acj if acj.get("status", {}).get("type") == "BroadcastJob" else None

        await eventually(
            taken_up, timeout=PODS_TIMEOUT, interval=0.5, what="the sample AdvancedCronJob's status"
        )
        run_local.kubectl_run(run_local.hint("kubectl patch acj advancedcronjob-sample"))
        acj = await client.get(ADVANCEDCRONJOBS, "advancedcronjob-sample", SAMPLE_NAMESPACE)
        assert acj["spec"]["paused"] is True
        assert "advancedcronjob-sample" in run_local.kubectl_run(
            run_local.hint("kubectl get acj advancedcronjob-sample -w")[:-1]
        )


def test_ctrl_c_stops_everything_and_exits_0(run_local: RunLocal) -> None:
    workdir = run_local.cluster_workdir
    assert run_local.children, "no child processes were recorded"
    run_local.process.send_signal(signal.SIGINT)
    try:
        code = run_local.process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"run_local.py still running {STOP_TIMEOUT:.0f}s after SIGINT")
    assert code == 0, run_local.output()
    survivors = [p.cmdline[:160] for p in run_local.children if still_running(p)]
    assert survivors == []
    assert processes_mentioning(workdir) == []
    assert processes_mentioning(str(run_local.run_dir)) == []
    assert not run_local.kubeconfig.exists()
    assert not Path(workdir).exists()
