"""kruise-manager: flags, wiring and signals; the work happens in kruise.runtime and kruise.

Flag names follow controller-runtime and OpenKruise so existing manifests keep working.
A bad flag or an unreachable cluster ends the process with one line and a non-zero code;
SIGTERM stops taking work, lets in-flight reconciles finish, releases the Lease and
exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, NoReturn

from prometheus_client import CollectorRegistry

from kruise.apis.apps.v1alpha1 import ADVANCEDCRONJOBS, BROADCASTJOBS, CLONESETS
from kruise.apis.apps.v1beta1 import STATEFULSETS
from kruise.controller import advancedcronjob, broadcastjob, cloneset, statefulset
from kruise.controller.cloneset import CloneSetOptions
from kruise.runtime import log as logs
from kruise.runtime.client import Client, ClientError, ConfigError, Unauthorized, load_config
from kruise.runtime.manager import (
    LeadershipLost,
    Manager,
    ManagerOptions,
    RunnableFailed,
    setup_when_served,
)
from kruise.runtime.manager.manager import parse_listen_address
from kruise.runtime.metrics import DelegatingAuth, SecureMetricsServer, new_registry
from kruise.runtime.webhook import WebhookServer
from kruise.util.features import FeatureGateError, FeatureGates, parse_bool, parse_feature_gates
from kruise.webhook.certs import CertController, CertOptions
from kruise.webhook.setup import add_webhooks

EXIT_LEADERSHIP_LOST = 3

log = logs.get_logger("kruise-manager")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is a single line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _listen_address(value: str) -> str:
    try:
        parse_listen_address(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return value


def _positive(kind: type[float] | type[int]):  # type: ignore[no-untyped-def]
    def parse(value: str) -> float | int:
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
        if number <= 0:
            raise argparse.ArgumentTypeError(f"{value!r} must be greater than 0")
        return number

    return parse


def _bool(value: str) -> bool:
    try:
        return parse_bool(value)
    except FeatureGateError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _feature_gates(value: str) -> FeatureGates:
    try:
        return parse_feature_gates(value)
    except FeatureGateError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


CONTROLLERS = ("cloneset", "statefulset", "broadcastjob", "advancedcronjob")


def parse_controllers(value: str) -> frozenset[str]:
    """The controllers a ``--controllers`` list turns on, in kube-controller-manager's style:
    ``*`` is every controller, ``name`` turns one on, ``-name`` turns one off."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    named = {item.removeprefix("-") for item in items} - {"*"}
    unknown = sorted(named - set(CONTROLLERS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown controller {unknown[0]!r} (known: {', '.join(CONTROLLERS)}; '*' for all)"
        )
    both = sorted({item for item in items if f"-{item}" in items})
    if both:
        raise argparse.ArgumentTypeError(f"controller {both[0]!r} both enabled and disabled")
    off = {item[1:] for item in items if item.startswith("-")}
    on = set(CONTROLLERS) if "*" in items else set(named - off)
    return frozenset(on - off)


def build_parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog="kruise-manager",
        description="Run the kruise-py controllers and webhooks (OpenKruise, in Python).",
    )
    add = p.add_argument
    add(
        "--kubeconfig",
        help="path to a kubeconfig; default: $KUBECONFIG, in-cluster, then ~/.kube/config",
    )
    add(
        "--metrics-addr",
        default=":8080",
        type=_listen_address,
        help="address the Prometheus /metrics endpoint binds to; '0' disables it",
    )
    add(
        "--metrics-secure",
        type=_bool,
        nargs="?",
        const=True,
        default=False,
        metavar="BOOL",
        help="serve /metrics over HTTPS with the webhook serving certificate, to callers whose "
        "bearer token a TokenReview accepts and whom a SubjectAccessReview allows to get "
        "/metrics (bind them to the ClusterRole kruise-py-metrics-reader)",
    )
    add(
        "--health-probe-addr",
        default=":8000",
        type=_listen_address,
        help="address the /healthz and /readyz probes bind to; '0' disables them",
    )
    add(
        "--enable-leader-election",
        action="store_true",
        help="run controllers only in the replica holding the Lease",
    )
    add(
        "--leader-election-namespace",
        default=None,
        help="namespace of the leader election Lease (default: $POD_NAMESPACE, else kube-system)",
    )
    add("--leader-election-id", default="kruise-manager", help="name of the leader election Lease")
    add(
        "--leader-election-lease-duration",
        type=_positive(float),
        default=15.0,
        help="seconds a standby waits after the last renewal before taking the Lease",
    )
    add(
        "--leader-election-renew-deadline",
        type=_positive(float),
        default=10.0,
        help="seconds the leader keeps retrying a renewal before it stops leading",
    )
    add(
        "--leader-election-retry-period",
        type=_positive(float),
        default=2.0,
        help="seconds between attempts to acquire or renew the Lease",
    )
    add(
        "--namespace",
        default="",
        help="watch and manage objects in this namespace only (default: all)",
    )
    add(
        "--kube-client-qps",
        type=float,
        default=30.0,
        help="client-side queries per second to the API server; <= 0 disables the limit",
    )
    add(
        "--kube-client-burst",
        type=int,
        default=50,
        help="client-side burst of queries to the API server",
    )
    add(
        "--rate-limiter-base-delay",
        type=_positive(float),
        default=0.005,
        help="seconds before the first retry of a failed reconcile; doubles on each failure",
    )
    add(
        "--rate-limiter-max-delay",
        type=_positive(float),
        default=1000.0,
        help="longest wait between retries of a failing reconcile, in seconds",
    )
    add(
        "--rate-limiter-qps",
        type=_positive(float),
        default=10.0,
        help="overall retries per second a controller's queue allows",
    )
    add(
        "--rate-limiter-bucket-size",
        type=_positive(int),
        default=100,
        help="burst of retries a controller's queue allows",
    )
    add(
        "--expectation-timeout",
        type=_positive(float),
        default=300.0,
        help="seconds after which an unobserved create/delete stops blocking a controller",
    )
    add(
        "--cloneset-workers",
        type=_positive(int),
        default=3,
        help="CloneSets reconciled at once",
    )
    add(
        "--statefulset-workers",
        type=_positive(int),
        default=3,
        help="Advanced StatefulSets reconciled at once",
    )
    add(
        "--broadcastjob-workers",
        type=_positive(int),
        default=3,
        help="BroadcastJobs reconciled at once",
    )
    add(
        "--assign-bcj-pods-by-scheduler",
        type=_bool,
        nargs="?",
        const=True,
        default=True,
        metavar="BOOL",
        help="BroadcastJob pods reach their node through the scheduler (a required node "
        "affinity on metadata.name); =false binds them with spec.nodeName directly",
    )
    add(
        "--advancedcronjob-workers",
        type=_positive(int),
        default=3,
        help="AdvancedCronJobs reconciled at once",
    )
    add(
        "--cloneset-scaling-exclude-preparing-delete",
        type=_bool,
        nargs="?",
        const=True,
        default=False,
        metavar="BOOL",
        help="CloneSet scaling leaves out pods in PreparingDelete, so pods a preDelete hook "
        "holds are replaced at once (one CloneSet: its label "
        "apps.kruise.io/cloneset-scaling-exclude-preparing-delete=true)",
    )
    add(
        "--controllers",
        type=parse_controllers,
        default="*",
        metavar="NAME,...",
        help="controllers to run: '*' for all, 'name' to turn one on, '-name' to turn one off "
        f"(e.g. '*,-cloneset'); names: {', '.join(CONTROLLERS)}; the webhooks of every kind "
        "are served either way",
    )
    add(
        "--feature-gates",
        type=_feature_gates,
        default="",
        metavar="NAME=BOOL,...",
        help="OpenKruise feature gates, e.g. PreparingUpdateAsUpdate=true (CloneSet scaling "
        "counts PreparingUpdate pods as updated); AllAlpha and AllBeta set every alpha or "
        "beta gate; OpenKruise's other gates are accepted and have no effect",
    )
    add(
        "--webhook-port",
        type=int,
        default=None,
        help="port the webhook server listens on (default: $WEBHOOK_PORT, else 9876)",
    )
    add(
        "--webhook-bind-address",
        default="0.0.0.0",
        help="address the webhook server binds to (its port is --webhook-port)",
    )
    add(
        "--webhook-cert-dir",
        default=None,
        help="folder the serving certificate is written to and read from "
        "(default: $WEBHOOK_CERT_DIR, else /tmp/kruise-webhook-certs)",
    )
    add(
        "--webhook-host",
        default=None,
        help="host the API server should call for webhooks, for a manager running outside "
        "the cluster (default: $WEBHOOK_HOST; unset: through the kruise-webhook-service Service)",
    )
    add(
        "--webhook-initialize-timeout",
        type=_positive(float),
        default=60.0,
        help="seconds to wait for the webhook certificates before giving up",
    )
    add(
        "--graceful-shutdown-timeout",
        type=_positive(float),
        default=30.0,
        help="seconds in-flight reconciles get to finish on SIGTERM",
    )
    add(
        "--log-format",
        choices=["json", "console"],
        default="console",
        help="log lines as JSON (for clusters) or readable console output",
    )
    add("-v", "--verbosity", type=int, default=0, help="log verbosity; >= 1 logs debug lines")
    return p


class StartupError(Exception):
    """A step before the manager runs failed; ``run`` prints it on one line and exits."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


async def run(args: argparse.Namespace) -> int:
    """Run the manager until SIGTERM or SIGINT; returns the process exit code."""
    registry = new_registry()
    try:
        async with _connect(args, registry) as (client, lease_client):
            manager = _build_manager(args, client, lease_client, registry)
            certs = _setup_webhooks(manager, args)
            await _setup_controllers(manager, args)
            return await _run_manager(manager, certs, args.webhook_initialize_timeout)
    except StartupError as err:
        print(f"kruise-manager: {err}", file=sys.stderr)
        return err.exit_code


@contextlib.asynccontextmanager
async def _connect(
    args: argparse.Namespace, registry: CollectorRegistry
) -> AsyncIterator[tuple[Client, Client]]:
    """The API client, once the API server answers, and a second one for the Lease."""
    config = await load_config(args.kubeconfig)
    config = config.with_options(qps=args.kube_client_qps, burst=args.kube_client_burst)
    async with Client(config, registry=registry) as client:
        await _check_reachable(client, config.host)
        # One hung Lease request must not use up the whole renew deadline.
        lease_timeout = max(args.leader_election_renew_deadline / 2, 1.0)
        lease_config = config.with_options(timeout=lease_timeout)
        async with Client(lease_config, registry=None) as lease_client:
            yield client, lease_client


async def _check_reachable(client: Client, host: str) -> None:
    try:
        async with asyncio.timeout(15):
            await client.transport.request("GET", "/version")
    except Unauthorized:
        message = f"the API server at {host} refused our credentials (401 Unauthorized)"
        raise StartupError(message, 1) from None
    except (ClientError, TimeoutError, OSError) as err:
        reason = str(err) or type(err).__name__
        raise StartupError(f"cannot reach the API server at {host}: {reason}", 1) from None


def _manager_options(args: argparse.Namespace) -> ManagerOptions:
    return ManagerOptions(
        # --metrics-secure: the manager's plain server is off; _setup_secure_metrics serves.
        metrics_addr="0" if args.metrics_secure else args.metrics_addr,
        health_probe_addr=args.health_probe_addr,
        leader_election=args.enable_leader_election,
        leader_election_id=args.leader_election_id,
        leader_election_namespace=args.leader_election_namespace
        or os.environ.get("POD_NAMESPACE")
        or "kube-system",
        lease_duration=args.leader_election_lease_duration,
        renew_deadline=args.leader_election_renew_deadline,
        retry_period=args.leader_election_retry_period,
        graceful_shutdown_timeout=args.graceful_shutdown_timeout,
        namespace=args.namespace or None,
        expectation_timeout=args.expectation_timeout,
        rate_limiter_base_delay=args.rate_limiter_base_delay,
        rate_limiter_max_delay=args.rate_limiter_max_delay,
        rate_limiter_qps=args.rate_limiter_qps,
        rate_limiter_bucket_size=args.rate_limiter_bucket_size,
    )


def _build_manager(
    args: argparse.Namespace, client: Client, lease_client: Client, registry: CollectorRegistry
) -> Manager:
    options = _manager_options(args)
    try:
        return Manager(client, options, registry=registry, election_client=lease_client)
    except ValueError as err:  # leader election timings that cannot work
        raise StartupError(str(err), 2) from None


def _setup_webhooks(manager: Manager, args: argparse.Namespace) -> CertController:
    try:
        cert_options = _cert_options(args)
    except ValueError as err:
        raise StartupError(str(err), 2) from None
    server, certs = add_webhooks(manager, cert_options, bind_host=args.webhook_bind_address)
    if args.metrics_secure:
        _setup_secure_metrics(manager, args.metrics_addr, server)
    return certs


def _setup_secure_metrics(manager: Manager, address: str, webhooks: WebhookServer) -> None:
    """/metrics over HTTPS behind TokenReview and SubjectAccessReview, in every replica,
    with the webhook server's certificate (one Secret, one rotation)."""
    listen = parse_listen_address(address)
    if listen is None:
        return

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = await manager.client.transport.request("POST", path, body=body)
        return answer

    server = SecureMetricsServer(
        manager.registry,
        host=listen[0],
        port=listen[1],
        tls=webhooks.certs,
        auth=DelegatingAuth(post),
    )
    manager.add(server, needs_leader_election=False)


def cloneset_options(args: argparse.Namespace) -> CloneSetOptions:
    """What the flags set for every CloneSet."""
    return CloneSetOptions(
        scaling_exclude_preparing_delete=args.cloneset_scaling_exclude_preparing_delete,
        features=args.feature_gates,
    )


async def _setup_controllers(manager: Manager, args: argparse.Namespace) -> None:
    gates: FeatureGates = args.feature_gates
    ignored = gates.ignored()
    if ignored:
        log.info("feature gates kruise-py does not implement have no effect", gates=ignored)
    enabled: frozenset[str] = args.controllers
    # A controller whose CRD (at the version it reads) is not served yet says so and
    # starts once it is; the rest of the manager runs meanwhile.
    if "cloneset" in enabled:
        await setup_when_served(
            manager,
            [CLONESETS],
            lambda: cloneset.setup(
                manager, workers=args.cloneset_workers, options=cloneset_options(args)
            ),
            name=cloneset.CONTROLLER_NAME,
        )
    if "statefulset" in enabled:
        await setup_when_served(
            manager,
            [STATEFULSETS],
            lambda: statefulset.setup(manager, workers=args.statefulset_workers),
            name=statefulset.CONTROLLER_NAME,
        )
    if "broadcastjob" in enabled:
        await setup_when_served(
            manager,
            [BROADCASTJOBS],
            lambda: broadcastjob.setup(
                manager,
                workers=args.broadcastjob_workers,
                assign_by_scheduler=args.assign_bcj_pods_by_scheduler,
            ),
            name=broadcastjob.CONTROLLER_NAME,
        )
    if "advancedcronjob" in enabled:
        await setup_when_served(
            manager,
            [ADVANCEDCRONJOBS],
            lambda: advancedcronjob.setup(manager, workers=args.advancedcronjob_workers),
            name=advancedcronjob.CONTROLLER_NAME,
        )
    disabled = sorted(set(CONTROLLERS) - enabled)
    if disabled:
        log.info("controllers turned off by --controllers", controllers=disabled)


async def _run_manager(manager: Manager, certs: CertController, certs_timeout: float) -> int:
    """Run until a signal; give up early if the webhook certificates never become ready."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("starting manager", identity=manager.identity)
    running = asyncio.create_task(manager.run(stop))
    ready = asyncio.create_task(certs.wait_ready(certs_timeout))
    await asyncio.wait({running, ready}, return_when=asyncio.FIRST_COMPLETED)
    if ready.done() and not ready.result():
        stop.set()
        await asyncio.gather(running, return_exceptions=True)
        reason = certs.last_error or "no successful sync"
        raise StartupError(
            f"webhook certificates not ready within {certs_timeout:.0f}s: {reason}", 1
        )
    try:
        await running
    except LeadershipLost as err:
        log.error("leader election lost; exiting", error=str(err))
        return EXIT_LEADERSHIP_LOST
    except RunnableFailed as err:
        raise StartupError(str(err), 1) from None
    finally:
        ready.cancel()
    return 0


def _cert_options(args: argparse.Namespace) -> CertOptions:
    overrides: dict[str, object] = {}
    if args.webhook_port is not None:
        overrides["port"] = args.webhook_port
    if args.webhook_cert_dir:
        overrides["cert_dir"] = Path(args.webhook_cert_dir)
    if args.webhook_host:
        overrides["host"] = args.webhook_host
    return CertOptions.from_env(None, **overrides)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(args.log_format, args.verbosity)
    try:
        return asyncio.run(run(args))
    except ConfigError as err:
        print(f"kruise-manager: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
