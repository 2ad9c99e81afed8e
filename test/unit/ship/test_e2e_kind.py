"""`make e2e` and hack/e2e-kind.sh, without Docker or kind.

The script is read statically (bash -n, shellcheck when installed, the commands it must
run), then run end to end with stand-ins for kind, docker, kubectl, make and pytest that
record every call, so the order of the steps, what reaches the suite and which clusters
get deleted are checked for real.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "hack" / "e2e-kind.sh"
DRY_RUN = ROOT / "hack" / "e2e-dry-run.py"
DEFAULT_CLUSTER = "kruise-py-e2e"
DEFAULT_IMAGE = "kruise-py:e2e"
MANAGER_LABELS = "control-plane=controller-manager,app.kubernetes.io/name=kruise-py"


def code_lines(text: str) -> list[str]:
    """The script's lines without comments (whole-line ones) and echo/printf messages."""
    return [
        line
        for line in text.splitlines()
        if line.strip()
        and not line.lstrip().startswith("#")
        and not re.match(r"\s*(echo|printf|step|die) ", line)
    ]


# ---- the script, read ----------------------------------------------------------------------


def test_script_is_executable_bash_with_strict_mode() -> None:
    text = SCRIPT.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    assert os.access(SCRIPT, os.X_OK)
    assert os.access(DRY_RUN, os.X_OK)


def test_script_syntax() -> None:
    result = subprocess.run(
        ["bash", "-n", str(SCRIPT)], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_script_is_shellcheck_clean() -> None:
    result = subprocess.run(
        ["shellcheck", str(SCRIPT)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "pattern",
    [
        r'"\$KIND" create cluster --name "\$CLUSTER"',
        r'"\$KIND" load docker-image "\$IMG" --name "\$CLUSTER"',
        r'"\$DOCKER" build -t "\$IMG" \.',
        r'"\$MAKE" .*\bdeploy IMG="\$IMG"',
        r'rollout status "deployment/\$DEPLOYMENT" --timeout=',
        r'logs -l "\$MANAGER_LABELS" .*--tail=200',
        r"get events",
        r'E2E_KUBECONFIG="\$kubeconfig"',
        r'"\$KIND" get kubeconfig --name "\$CLUSTER"',
    ],
)
def test_script_runs(pattern: str) -> None:
    assert any(re.search(pattern, line) for line in code_lines(SCRIPT.read_text())), pattern


def test_script_deletes_only_a_cluster_it_created() -> None:
    lines = code_lines(SCRIPT.read_text())
    deletes = [i for i, line in enumerate(lines) if "delete cluster" in line]
    assert len(deletes) == 1, [lines[i] for i in deletes]
    guard = next(line for line in reversed(lines[: deletes[0]]) if re.match(r"\s*(el)?if ", line))
    assert "created" in guard
    assert "E2E_KEEP_CLUSTER" in SCRIPT.read_text()


# ---- the script, run with stand-ins --------------------------------------------------------

FAKE = r"""#!/usr/bin/env bash
# Stand-in for {name}: records the call, answers what e2e-kind.sh asks.
printf '%s\n' "{name} $*" >>"$FAKE_LOG"
args=" $* "
case "{name}" in
  kind)
    if [[ "$args" == *" get clusters "* ]]; then printf '%s\n' ${FAKE_KIND_CLUSTERS:-}; fi
    if [[ "$args" == *" get kubeconfig "* ]]; then printf 'apiVersion: v1\nkind: Config\n'; fi
    ;;
  kubectl)
    if [[ "$args" == *" get deployment kruise-controller-manager "* ]]; then
      [[ "${FAKE_DEPLOYMENT_EXISTS:-0}" == 1 ]]; exit
    fi
    if [[ "$args" == *" rollout status "* ]]; then exit "${FAKE_ROLLOUT_RC:-0}"; fi
    if [[ "$args" == *"jsonpath="* ]]; then printf 'webhook.kb.io:%s\n' "${FAKE_CA_BUNDLE-Q0E=}"; fi
    ;;
  make)
    printf '%s\n' "make env KUBECONFIG=$KUBECONFIG MAKEFLAGS=${MAKEFLAGS-unset}" >>"$FAKE_LOG"
    ;;
  pytest)
    printf '%s\n' "pytest env E2E_KUBECONFIG=$E2E_KUBECONFIG E2E_IMAGE=$E2E_IMAGE" \
      "pytest env KUBECONFIG=$KUBECONFIG" >>"$FAKE_LOG"
    grep -q 'kind: Config' "$E2E_KUBECONFIG" || exit 99
    exit "${FAKE_PYTEST_RC:-0}"
    ;;
esac
exit 0
"""
TOOLS = ("kind", "docker", "kubectl", "make", "pytest")


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    calls: list[str]

    def called(self, prefix: str) -> list[str]:
        return [c for c in self.calls if c.startswith(prefix)]

    def index(self, part: str) -> int:
        """Where the first call containing ``part`` is."""
        return next(i for i, c in enumerate(self.calls) if part in c)


@pytest.fixture
def fakes(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in TOOLS:
        tool = folder / name
        tool.write_text(FAKE.replace("{name}", name))
        tool.chmod(0o755)
    return folder


def run_script(fakes: Path, tmp_path: Path, *args: str, **env_overrides: str) -> Run:
    log = tmp_path / "calls.log"
    log.write_text("")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KIND", "E2E_", "FAKE_")) and key not in {"IMG", "KUBECONFIG"}
    }
    env.update(
        {
            "FAKE_LOG": str(log),
            "TMPDIR": str(tmp_path),
            "MAKEFLAGS": "KUBECONFIG=/outer/kubeconfig",
            **{name.upper(): str(fakes / name) for name in TOOLS},
            **env_overrides,
        }
    )
    result = subprocess.run(
        [str(SCRIPT), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return Run(result.returncode, result.stdout, result.stderr, log.read_text().splitlines())


def test_new_cluster_is_built_deployed_tested_and_deleted(fakes: Path, tmp_path: Path) -> None:
    run = run_script(fakes, tmp_path, "-x", "-k", "cloneset")
    assert run.returncode == 0, run.stderr
    [create] = run.called("kind create cluster")
    assert f"--name {DEFAULT_CLUSTER} " in create
    assert "--kubeconfig " in create  # never the user's kubeconfig
    assert run.called("docker build") == [f"docker build -t {DEFAULT_IMAGE} ."]
    assert run.called("kind load") == [
        f"kind load docker-image {DEFAULT_IMAGE} --name {DEFAULT_CLUSTER}"
    ]
    [deploy] = run.called("make ")[:1]
    assert f"deploy IMG={DEFAULT_IMAGE} KUBECTL={fakes / 'kubectl'} KUBECONFIG=" in deploy
    [make_env] = run.called("make env")
    assert "MAKEFLAGS=unset" in make_env  # an outer make's KUBECONFIG=... cannot leak in
    [rollout] = [c for c in run.called("kubectl") if " rollout status " in c]
    assert "-n kube-system rollout status deployment/kruise-controller-manager" in rollout
    assert "--timeout=300s" in rollout
    # Both webhook configurations and the conversion CRD were checked for a caBundle.
    jsonpaths = " ".join(c for c in run.called("kubectl") if "jsonpath=" in c)
    for name in (
        "mutatingwebhookconfiguration/kruise-mutating-webhook-configuration",
        "validatingwebhookconfiguration/kruise-validating-webhook-configuration",
        "customresourcedefinition/statefulsets.apps.kruise.io",
    ):
        assert name in jsonpaths
    [pytest_call] = run.called("pytest test/e2e")
    assert pytest_call == "pytest test/e2e/kruise -x -k cloneset"
    [pytest_env] = run.called("pytest env E2E_KUBECONFIG")
    kubeconfig = pytest_env.split("E2E_KUBECONFIG=")[1].split()[0]
    assert f"E2E_IMAGE={DEFAULT_IMAGE}" in pytest_env
    assert run.called("pytest env KUBECONFIG") == [f"pytest env KUBECONFIG={kubeconfig}"]
    assert f"KUBECONFIG={kubeconfig}" in deploy
    assert all(f"--kubeconfig {kubeconfig}" in c for c in run.called("kubectl"))
    kind_kubeconfig = Path(kubeconfig).parent / "kind-kubeconfig"
    assert run.called("kind delete cluster") == [
        f"kind delete cluster --name {DEFAULT_CLUSTER} --kubeconfig {kind_kubeconfig}"
    ]
    assert f"--kubeconfig {kind_kubeconfig} " in create
    order = [
        run.index(p)
        for p in (
            "kind create cluster",
            "kind get kubeconfig",
            "docker build",
            "kind load docker-image",
            "make --no-print-directory deploy",
            " rollout status ",
            "pytest test/e2e",
            "kind delete cluster",
        )
    ]
    assert order == sorted(order), run.calls
    assert not Path(kubeconfig).parent.exists()  # the temporary directory is gone
    assert not [c for c in run.called("kubectl") if " logs " in c]
    assert "e2e-kind: passed" in run.stdout


def test_existing_cluster_is_reused_restarted_and_kept(fakes: Path, tmp_path: Path) -> None:
    run = run_script(
        fakes,
        tmp_path,
        KIND_CLUSTER="mine",
        FAKE_KIND_CLUSTERS="other mine",
        FAKE_DEPLOYMENT_EXISTS="1",
        IMG="registry.local:5000/kruise-py:dev",
    )
    assert run.returncode == 0, run.stderr
    assert not run.called("kind create")
    assert not run.called("kind delete")
    assert run.called("kind get kubeconfig") == ["kind get kubeconfig --name mine"]
    assert run.called("kind load") == [
        "kind load docker-image registry.local:5000/kruise-py:dev --name mine"
    ]
    # Same image name as before, new content: the pods are restarted to pick it up.
    assert [
        c
        for c in run.called("kubectl")
        if "rollout restart deployment/kruise-controller-manager" in c
    ]
    assert "existed before this run" in run.stdout


def test_a_named_cluster_that_does_not_exist_is_created_and_deleted(
    fakes: Path, tmp_path: Path
) -> None:
    run = run_script(fakes, tmp_path, KIND_CLUSTER="fresh", FAKE_KIND_CLUSTERS="other")
    assert run.returncode == 0, run.stderr
    assert len(run.called("kind create cluster --name fresh ")) == 1
    assert len(run.called("kind delete cluster --name fresh ")) == 1
    assert not [c for c in run.called("kubectl") if "rollout restart" in c]


def test_keep_cluster(fakes: Path, tmp_path: Path) -> None:
    run = run_script(fakes, tmp_path, E2E_KEEP_CLUSTER="1")
    assert run.returncode == 0, run.stderr
    assert run.called("kind create cluster")
    assert not run.called("kind delete")
    assert f"delete cluster --name {DEFAULT_CLUSTER}" in run.stdout  # how to remove it


def test_failing_suite_dumps_logs_and_events_then_cleans_up(fakes: Path, tmp_path: Path) -> None:
    run = run_script(fakes, tmp_path, FAKE_PYTEST_RC="3")
    assert run.returncode == 3
    kubectl_calls = run.called("kubectl")
    assert [
        c
        for c in kubectl_calls
        if f"-n kube-system logs -l {MANAGER_LABELS}" in c and "--tail=200" in c
    ]
    assert [c for c in kubectl_calls if " get events " in c]
    assert run.index("pytest test/e2e") < run.index("kind delete cluster")
    assert "e2e-kind: failed (exit 3)" in run.stderr


def test_failed_rollout_stops_before_the_suite(fakes: Path, tmp_path: Path) -> None:
    run = run_script(fakes, tmp_path, FAKE_ROLLOUT_RC="1")
    assert run.returncode == 1
    assert not run.called("pytest")
    assert [c for c in run.called("kubectl") if " logs -l " in c]
    assert run.called("kind delete cluster")


def test_webhooks_without_a_ca_bundle_stop_before_the_suite(fakes: Path, tmp_path: Path) -> None:
    run = run_script(fakes, tmp_path, FAKE_CA_BUNDLE="", E2E_CABUNDLE_TIMEOUT="0")
    assert run.returncode == 1
    assert "no caBundle in the webhook configurations" in run.stderr
    assert not run.called("pytest")
    assert [c for c in run.called("kubectl") if " logs -l " in c]


@pytest.mark.parametrize("tool", ["kind", "docker", "kubectl"])
def test_missing_tool_is_one_line_and_touches_nothing(
    fakes: Path, tmp_path: Path, tool: str
) -> None:
    missing = str(tmp_path / "nowhere" / tool)
    run = run_script(fakes, tmp_path, **{tool.upper(): missing})
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [run.stderr.strip()]
    assert run.stderr.startswith(f"e2e-kind: {missing} not found: install ")
    assert run.calls == []


def test_image_by_digest_is_refused(fakes: Path, tmp_path: Path) -> None:
    run = run_script(fakes, tmp_path, IMG="kruise-py@sha256:" + "0" * 64)
    assert run.returncode == 1
    assert "use name:tag" in run.stderr
    assert not run.called("kind create")


# ---- make e2e ------------------------------------------------------------------------------


def make_dry(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"E2E_CLUSTER", "MAKEFLAGS", "IMG"}}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", "e2e", "KUBECTL=kubectl", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@needs_make
def test_make_e2e_kind_runs_the_script() -> None:
    result = make_dry("E2E_CLUSTER=kind", "PYTEST_ARGS=-x -k cloneset")
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if "e2e-kind.sh" in line]
    assert line.endswith("hack/e2e-kind.sh -x -k cloneset")
    assert "KUBECTL='kubectl'" in line
    assert "PYTEST='.venv/bin/pytest'" in line
    assert "e2e-dry-run" not in result.stdout


@needs_make
@pytest.mark.parametrize("cluster", [None, "local"])
def test_make_e2e_dry_runs_the_manifests_then_runs_the_suite(cluster: str | None) -> None:
    result = make_dry(*([f"E2E_CLUSTER={cluster}"] if cluster else []), "PYTEST_ARGS=-x")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    dry_run = lines.index(".venv/bin/python hack/e2e-dry-run.py")
    suite = lines.index(".venv/bin/pytest test/e2e -x")
    assert dry_run < suite
    assert "e2e-kind.sh" not in result.stdout


@needs_make
def test_make_e2e_refuses_an_unknown_cluster_kind() -> None:
    result = make_dry("E2E_CLUSTER=minikube")
    assert "E2E_CLUSTER is 'minikube'" in result.stdout
    assert "exit 2" in result.stdout
