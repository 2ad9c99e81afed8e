"""A manager under test on a local cluster: kruise-py's ``kruise-manager`` or OpenKruise's Go
manager (built by ``hack/build-openkruise.sh``), each with its CRDs and webhook
configurations, started as its own process and returned only once its webhooks answer.

The CloneSet benchmarks (``bench/scenarios/cloneset``) and the conformance runner
(``test/conformance``) both start managers through here.
"""

from __future__ import annotations

import copy
import ctypes
import math
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kruise.runtime.envtest import LocalCluster, WebhookEndpoint
from kruise.runtime.envtest.install import (
    CRD_COLLECTION,
    WEBHOOK_COLLECTIONS,
    load_documents,
)
from kruise.runtime.envtest.ports import free_port
from kruise.runtime.envtest.rest import RestError, url_ok
from support.commands import manager_command
from support.paths import REPO_ROOT

KRUISE_PY = "kruise-py"
OPENKRUISE = "openkruise"
FLAVOURS = (KRUISE_PY, OPENKRUISE)
MANAGER_NAMESPACE = "kruise-system"
PROBE_NAMESPACE = "kruise-webhook-probe"
# The feature gates of OpenKruise's own deployment (config/manager/manager.yaml of the
# module), which its e2e suite runs against.
OPENKRUISE_E2E_FEATURE_GATES = (
    "AllAlpha=true,AllBeta=true,EnableExternalCerts=false,TemplateNoDefaults=false"
)


_PR_SET_PDEATHSIG = 1


class ManagerError(Exception):
    """The manager could not be installed or started, or it died; one line says why."""


def tail(path: Path, lines: int = 5) -> str:
    """The last ``lines`` lines of a log, joined on one line (empty if unreadable)."""
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line[:300] for line in text[-lines:])


def wait_until(
    check: Callable[[], bool], what: str, timeout: float, alive: Callable[[], None]
) -> None:
    """Poll ``check`` until it holds; ``alive`` raises if something it needs died."""
    deadline = time.monotonic() + timeout
    while not check():
        alive()
        if time.monotonic() > deadline:
            raise ManagerError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


# ---- OpenKruise's manifests, as its kustomization makes them ------------------------------


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
        if kind not in WEBHOOK_COLLECTIONS:
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


def openkruise_manifests(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The CRDs and webhook configurations in ``hack/build-openkruise.sh``'s output folder."""
    crds = openkruise_crds(
        load_documents([folder / "crd"]),
        next(iter(load_documents([folder / "crd-patches" / "kustomization.yaml"])), {}),
        load_documents(sorted((folder / "crd-patches").glob("webhook_in_*.yaml"))),
    )
    patches = folder / "webhook" / "patch_manifests.yaml"
    configs = openkruise_webhook_configs(
        load_documents([folder / "webhook" / "manifests.yaml"]),
        load_documents([patches]) if patches.exists() else [],
    )
    return crds, configs


# ---- the manager process ------------------------------------------------------------------


@dataclass
class ManagerProcess:
    """A manager (kruise-py's or OpenKruise's) started as a subprocess against the cluster."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def check(self) -> None:
        """Raise ``ManagerError`` with the log's tail if the manager has exited."""
        code = self.process.poll()
        if code is not None:
            raise ManagerError(f"{self.name} exited {code}: {tail(self.log)}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 30 seconds."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class ManagerOptions:
    """Which manager to start and how.

    ``flavour`` is ``kruise-py`` or ``openkruise``; ``openkruise_dir`` is
    ``hack/build-openkruise.sh --print-dir`` (needed for ``openkruise``). ``qps`` and
    ``burst`` set the manager's client limits (its defaults when None). ``feature_gates``
    becomes ``--feature-gates=...``; ``extra_args`` are appended as they are.
    """

    flavour: str
    workdir: Path
    openkruise_dir: Path | None = None
    qps: float | None = None
    burst: int | None = None
    feature_gates: str | None = None
    extra_args: Sequence[str] = ()
    name: str = ""
    """Shown in errors and used for the log file's name (default: the flavour)."""
    namespace: str = MANAGER_NAMESPACE


def create_namespace(
    cluster: LocalCluster, name: str, labels: dict[str, str] | None = None
) -> None:
    """Create ``name`` (fine if it exists) and wait for its default ServiceAccount."""
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    if labels:
        body["metadata"]["labels"] = labels
    try:
        cluster.rest.request("POST", "/api/v1/namespaces", body)
    except RestError as err:
        if err.status != 409:
            raise
    cluster.wait_for_service_account(name, timeout=60)


def injected(cluster: LocalCluster, kind: str, name: str) -> bool:
    """Whether every webhook of the configuration has a caBundle and a URL."""
    try:
        config = cluster.rest.get(f"{WEBHOOK_COLLECTIONS[kind]}/{name}")
    except RestError:
        return False
    hooks = config.get("webhooks") or []
    return bool(hooks) and all(
        w["clientConfig"].get("caBundle") and w["clientConfig"].get("url") for w in hooks
    )


def conversion_ready(cluster: LocalCluster, name: str) -> bool:
    """Whether the CRD's conversion webhook has a caBundle."""
    try:
        crd = cluster.rest.get(f"{CRD_COLLECTION}/{name}")
    except RestError:
        return False
    webhook = ((crd.get("spec") or {}).get("conversion") or {}).get("webhook") or {}
    return bool((webhook.get("clientConfig") or {}).get("caBundle"))


def admission_live(cluster: LocalCluster, namespace: str) -> bool:
    """True once the API server calls the CloneSet validating webhook (a bad CloneSet,
    dry run, is refused by the webhook rather than admitted or refused by the schema)."""
    bad = {
        "apiVersion": "apps.kruise.io/v1alpha1",
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


def kruise_py_has_flag(flag: str) -> bool:
    """Whether the installed ``kruise-manager`` lists ``flag`` in its ``--help``."""
    try:
        done = subprocess.run(
            [*manager_command(), "--help"],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return flag in done.stdout


def _install_kruise_py(
    cluster: LocalCluster, options: ManagerOptions, ports: dict[str, int], certs: Path
) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    # The manager points the conversion webhooks at itself (--webhook-host) and fills
    # in the CA, as it does for the webhook configurations.
    endpoint = WebhookEndpoint("127.0.0.1", ports["webhook"], b"")
    crds = cluster.install_crds([REPO_ROOT / "config" / "crd" / "bases"], endpoint)
    configs = load_documents([REPO_ROOT / "config" / "webhook" / "manifests.yaml"])
    command = [
        *manager_command(),
        f"--kubeconfig={cluster.kubeconfig_path}",
        f"--metrics-addr=127.0.0.1:{ports['metrics']}",
        f"--health-probe-addr=127.0.0.1:{ports['health']}",
        "--webhook-host=127.0.0.1",
        f"--webhook-port={ports['webhook']}",
        f"--webhook-cert-dir={certs}",
        "--log-format=json",
    ]
    if options.qps is not None:
        command.append(f"--kube-client-qps={options.qps:g}")
    if options.burst is not None:
        command.append(f"--kube-client-burst={options.burst}")
    return command, crds, configs


def _install_openkruise(
    cluster: LocalCluster, options: ManagerOptions, ports: dict[str, int]
) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    if options.openkruise_dir is None:
        raise ManagerError("openkruise_dir is needed to start OpenKruise's manager")
    folder = Path(options.openkruise_dir)
    binary = folder / "kruise-manager"
    if not binary.exists():
        raise ManagerError(f"{binary} does not exist; run hack/build-openkruise.sh")
    crds, configs = openkruise_manifests(folder)
    # The manager points the conversion webhooks at itself and fills in the CA.
    cluster.install_crds(crds, WebhookEndpoint("127.0.0.1", ports["webhook"], b""))
    create_namespace(cluster, "kruise-daemon-config")
    command = [
        str(binary),
        "--enable-leader-election=false",
        f"--metrics-addr=127.0.0.1:{ports['metrics']}",
        f"--health-probe-addr=127.0.0.1:{ports['health']}",
        "--enable-pprof=false",
    ]
    if options.qps is not None:
        command.append(f"--rest-config-qps={math.ceil(options.qps)}")
    if options.burst is not None:
        command.append(f"--rest-config-burst={options.burst}")
    return command, crds, configs


def die_with_parent() -> None:
    """Between fork and exec: the kernel kills the manager when the process (strictly, the
    thread) that started it dies, even by SIGKILL, as it does the cluster's components."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def start_manager(cluster: LocalCluster, options: ManagerOptions) -> ManagerProcess:
    """Install the CRDs and webhook configurations of ``options.flavour`` on ``cluster``,
    start its manager with its webhooks reached at ``https://127.0.0.1:<port>``, and wait
    until it has injected its CA everywhere, reports ``/readyz`` and the API server calls
    its webhooks. ``ManagerError`` (or ``EnvtestError``) says in one line what failed."""
    if options.flavour not in FLAVOURS:
        raise ManagerError(f"unknown manager {options.flavour!r}; one of {', '.join(FLAVOURS)}")
    name = options.name or options.flavour
    ports = {"webhook": free_port(), "health": free_port(), "metrics": free_port()}
    certs = options.workdir / "certs"
    env = {
        **os.environ,
        "POD_NAMESPACE": options.namespace,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(ports["webhook"]),
        "WEBHOOK_CERT_DIR": str(certs),
        "KUBECONFIG": str(cluster.kubeconfig_path),
    }
    create_namespace(cluster, options.namespace, {"control-plane": "controller-manager"})
    if options.flavour == KRUISE_PY:
        command, crds, configs = _install_kruise_py(cluster, options, ports, certs)
    else:
        command, crds, configs = _install_openkruise(cluster, options, ports)
    if options.feature_gates:
        command.append(f"--feature-gates={options.feature_gates}")
    command += list(options.extra_args)
    for doc in configs:
        cluster.rest.apply(WEBHOOK_COLLECTIONS[doc["kind"]], doc)
    log = options.workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Its own session: Ctrl-C reaches only the caller, which stops it in order.
            # prctl is async-signal-safe, so the hook is sound with threads running.
            start_new_session=True,
            preexec_fn=die_with_parent,  # noqa: PLW1509
        )
    manager = ManagerProcess(name, process, log)
    try:
        _wait_serving(cluster, manager, configs, crds, ports["health"])
    except BaseException:
        manager.stop()
        raise
    return manager


def _wait_serving(
    cluster: LocalCluster,
    manager: ManagerProcess,
    configs: Sequence[dict[str, Any]],
    crds: Sequence[dict[str, Any]],
    health: int,
) -> None:
    def alive() -> None:
        manager.check()
        cluster.check()

    for doc in configs:
        name = doc["metadata"]["name"]
        wait_until(
            lambda d=doc, n=name: injected(cluster, d["kind"], n),
            f"the CA and URL in {name}",
            120,
            alive,
        )
    converted = [
        c["metadata"]["name"]
        for c in crds
        if ((c.get("spec") or {}).get("conversion") or {}).get("strategy") == "Webhook"
    ]
    for name in converted:
        wait_until(
            lambda n=name: conversion_ready(cluster, n),
            f"the CA in the conversion webhook of {name}",
            120,
            alive,
        )
    wait_until(
        lambda: url_ok(f"http://127.0.0.1:{health}/readyz"), f"{manager.name} /readyz", 120, alive
    )
    create_namespace(cluster, PROBE_NAMESPACE)
    wait_until(
        lambda: admission_live(cluster, PROBE_NAMESPACE),
        "the API server to call the webhooks",
        60,
        alive,
    )
