"""Both sides of webhook-admission: the CloneSet validating webhook against a bare floor.

    python bench/scenarios/webhook.py run --server ours --loadgen PATH   # one JSON line
    python bench/scenarios/webhook.py run --server floor --loadgen PATH
    python bench/scenarios/webhook.py serve --server ours --dir DIR      # just serve

``run`` starts ``serve`` in its own process, points the Go load generator
(bench/go/loadgen) at it, stops it, and prints the load generator's figures (p50/p99
latency in ms, requests per second over the measured window) with the server's CPU
and cyclic-GC time per request over that window (the server reports both when sent
SIGUSR1, at the window's start and end).

``--dir`` holds what both sides share (``prepare`` writes it, else ``run`` makes a
temporary one): a self-signed RSA 2048 certificate for 127.0.0.1 (tls.crt, tls.key;
the load generator trusts it as its CA) and review.json, a CREATE AdmissionReview v1
of a valid, defaulted CloneSet of about 3 KB.

- ``ours``: ``kruise.runtime.webhook.WebhookServer`` on 127.0.0.1, port 0, with
  ``kruise.webhook.cloneset.handlers(get_pod)`` registered (``get_pod`` answers None; a
  CREATE names no pods to delete, so it is never called). Metrics on a fresh registry.
- ``floor``: a bare aiohttp server with the same TLS context settings
  (``certwatcher.server_context``: TLS 1.2+, ALPN http/1.1) and certificate, whose
  handler on the same path reads the body and answers a fixed allowed AdmissionReview:
  the floor of Python, aiohttp and TLS.

For ``ours``, ``run`` also times the steps of a request in-process once the server has
stopped (``breakdown_us``: the registered route's whole answer, and its steps: parse,
decode, validate, encode; and the metrics), to say where the time beyond the floor goes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import gc
import inspect
import ipaddress
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kruise.apis.apps.defaults import default_cloneset
from kruise.runtime import log
from kruise.runtime.webhook import admission
from kruise.runtime.webhook._review import dump, parse_json
from kruise.runtime.webhook.certwatcher import server_context
from kruise.runtime.webhook.server import WebhookServer
from kruise.webhook.cloneset import VALIDATE_PATH, handlers

CERT, KEY, REVIEW = "tls.crt", "tls.key", "review.json"
UID = "5f0e2c6a-8b1d-4c3e-9a7f-2d4b6e8f0a13"
SERVERS = ("ours", "floor")
START_TIMEOUT = 30.0


# ---- what both sides share ------------------------------------------------------------


def write_cert_pair(directory: Path) -> None:
    """A self-signed RSA 2048 certificate for 127.0.0.1 and localhost, and its key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kruise-bench-webhook")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (directory / CERT).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / KEY).write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def cloneset() -> dict[str, Any]:
    """A CloneSet of a web service as the validating webhook sees it on CREATE: defaulted
    (by the mutating webhook and the API server), with uid, generation and the
    managedFields entry of ``kubectl apply``."""
    labels = {"app": "web", "tier": "frontend"}
    spec = {
        "replicas": 6,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": dict(labels), "annotations": {"prometheus.io/scrape": "true"}},
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "example.com/shop/web:1.24.3",
                        "env": [
                            {"name": "APP_ENV", "value": "production"},
                            {
                                "name": "POD_IP",
                                "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}},
                            },
                        ],
                        "ports": [{"name": "http", "containerPort": 8080}],
                        "resources": {
                            "requests": {"cpu": "250m", "memory": "256Mi"},
                            "limits": {"memory": "512Mi"},
                        },
                        "volumeMounts": [{"name": "config", "mountPath": "/etc/web"}],
                        "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}},
                    },
                    {
                        "name": "log-shipper",
                        "image": "example.com/log-shipper:3.1",
                        "env": [{"name": "SHIP_TO", "value": "logs:24224"}],
                        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
                        "volumeMounts": [{"name": "logs", "mountPath": "/var/log/app"}],
                    },
                ],
                "volumes": [
                    {"name": "config", "configMap": {"name": "web-config"}},
                    {"name": "logs", "emptyDir": {}},
                ],
                "nodeSelector": {"pool": "web"},
            },
        },
        "updateStrategy": {"type": "InPlaceIfPossible", "maxUnavailable": "20%", "maxSurge": 1},
    }
    managed = {
        "f:metadata": {"f:labels": {"f:app": {}, "f:tier": {}}},
        "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
                "f:metadata": {"f:annotations": {"f:prometheus.io/scrape": {}}},
                "f:spec": {
                    "f:containers": {'k:{"name":"app"}': {}, 'k:{"name":"log-shipper"}': {}},
                    "f:nodeSelector": {},
                    "f:volumes": {'k:{"name":"config"}': {}, 'k:{"name":"logs"}': {}},
                },
            },
            "f:updateStrategy": {"f:maxSurge": {}, "f:maxUnavailable": {}, "f:type": {}},
        },
    }
    return default_cloneset(
        {
            "apiVersion": "apps.kruise.io/v1alpha1",
            "kind": "CloneSet",
            "metadata": {
                "name": "web",
                "namespace": "shop",
                "uid": "0b6f3d2e-7c41-4a58-9e2d-5f1a9c3b7e64",
                "generation": 1,
                "creationTimestamp": "2026-01-01T00:00:00Z",
                "labels": dict(labels),
                "managedFields": [
                    {
                        "manager": "kubectl",
                        "operation": "Apply",
                        "apiVersion": "apps.kruise.io/v1alpha1",
                        "time": "2026-01-01T00:00:00Z",
                        "fieldsType": "FieldsV1",
                        "fieldsV1": managed,
                    }
                ],
            },
            "spec": spec,
        }
    )


def review() -> dict[str, Any]:
    """The CREATE AdmissionReview v1 the API server sends the validating webhook."""
    gvk = {"group": "apps.kruise.io", "version": "v1alpha1", "kind": "CloneSet"}
    gvr = {"group": "apps.kruise.io", "version": "v1alpha1", "resource": "clonesets"}
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": UID,
            "kind": gvk,
            "resource": gvr,
            "requestKind": gvk,
            "requestResource": gvr,
            "name": "web",
            "namespace": "shop",
            "operation": "CREATE",
            "userInfo": {
                "username": "jane@example.com",
                "uid": "a3c9e1f0-2b4d-4e6f-8a1c-3e5f7b9d1a2c",
                "groups": ["developers", "system:authenticated"],
            },
            "object": cloneset(),
            "oldObject": None,
            "dryRun": False,
            "options": {
                "apiVersion": "meta.k8s.io/v1",
                "kind": "CreateOptions",
                "fieldManager": "kubectl",
            },
        },
    }


def allowed_review() -> bytes:
    """The floor's fixed answer: what ours answers for the review."""
    response = {"uid": UID, "allowed": True, "status": {"code": 200}}
    answer = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response}
    return json.dumps(answer, separators=(",", ":")).encode()


def prepare(directory: Path) -> None:
    """Write the certificate, its key and the review into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    write_cert_pair(directory)
    body = json.dumps(review(), separators=(",", ":")).encode()
    (directory / REVIEW).write_bytes(body)


# ---- the servers ----------------------------------------------------------------------


async def no_pod(namespace: str, name: str) -> Mapping[str, Any] | None:
    return None


def ours_server(directory: Path) -> WebhookServer:
    server = WebhookServer(host="127.0.0.1", port=0, cert_dir=directory, registry=None)
    for path, handler in handlers(no_pod).items():
        server.register_admission(path, handler)
    return server


async def serve_ours(
    directory: Path, stopping: asyncio.Event, ready: Callable[[int], None]
) -> None:
    server = ours_server(directory)
    task = asyncio.create_task(server.start(stopping))
    serving = asyncio.create_task(server.serving.wait())
    await asyncio.wait({task, serving}, return_when=asyncio.FIRST_COMPLETED)
    if not server.serving.is_set():
        serving.cancel()
        await task  # raises why it stopped
        raise RuntimeError("the webhook server stopped before serving")
    ready(server.bound_port)
    await task


async def serve_floor(
    directory: Path, stopping: asyncio.Event, ready: Callable[[int], None]
) -> None:
    answer = allowed_review()

    async def validate(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=answer, content_type="application/json")

    context = server_context()
    context.load_cert_chain(directory / CERT, directory / KEY)
    app = web.Application()
    app.router.add_post(VALIDATE_PATH, validate)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context).start()
        ready(int(runner.addresses[0][1]))
        await stopping.wait()
    finally:
        await runner.cleanup()


class GCTimer:
    """Time spent in the cyclic GC by generation, through ``gc.callbacks``."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.collections = [0, 0, 0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            generation = info["generation"]
            self.seconds[generation] += time.perf_counter() - self._started
            self.collections[generation] += 1

    def snapshot(self) -> dict[str, Any]:
        return {
            "cpu_seconds": time.process_time(),
            "gc_seconds": list(self.seconds),
            "gc_collections": list(self.collections),
        }


def serve(server: str, directory: Path) -> None:
    """Serve until SIGTERM or SIGINT; print ``{"port": N}`` once listening, and a line
    with the CPU and GC time so far on every SIGUSR1."""
    log.configure("console")  # logs to stderr; stdout carries the port and snapshots
    gc_timer = GCTimer()
    gc.callbacks.append(gc_timer)

    def say(line: dict[str, Any]) -> None:
        print(json.dumps(line), flush=True)

    async def main() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        loop.add_signal_handler(signal.SIGUSR1, lambda: say(gc_timer.snapshot()))
        run = serve_ours if server == "ours" else serve_floor
        await run(directory, stopping, lambda port: say({"port": port}))

    asyncio.run(main())


# ---- one measured run -----------------------------------------------------------------


def server_usage_over_window(
    loadgen: subprocess.Popen[str], server: subprocess.Popen[str]
) -> dict[str, Any] | None:
    """The server's CPU and GC time over the loadgen's measured window, which the
    loadgen announces on its first line; None if it does not (it failed)."""
    assert loadgen.stdout is not None
    try:
        start_ns, end_ns = json.loads(loadgen.stdout.readline())["window_unix_ns"]
    except (ValueError, KeyError, TypeError):
        return None
    time.sleep(max(0.0, start_ns / 1e9 - time.time()))
    before = snapshot(server)
    time.sleep(max(0.0, end_ns / 1e9 - time.time()))
    after = snapshot(server)
    return {
        "cpu_seconds": after["cpu_seconds"] - before["cpu_seconds"],
        "gc_seconds": [
            a - b for a, b in zip(after["gc_seconds"], before["gc_seconds"], strict=True)
        ],
        "gc_collections": [
            a - b for a, b in zip(after["gc_collections"], before["gc_collections"], strict=True)
        ],
    }


def snapshot(server: subprocess.Popen[str]) -> dict[str, Any]:
    """Ask the server for its CPU and GC time so far (it answers from its event loop)."""
    assert server.stdout is not None
    server.send_signal(signal.SIGUSR1)
    line = server.stdout.readline()
    if not line:
        raise SystemExit(f"the server exited during the load (exit code {server.wait()})")
    usage: dict[str, Any] = json.loads(line)
    return usage


def start_server(server: str, directory: Path) -> tuple[subprocess.Popen[str], int]:
    command = [sys.executable, __file__, "serve", "--server", server, "--dir", str(directory)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        with contextlib.suppress(ValueError):
            return process, int(json.loads(line)["port"])
    stop_server(process)
    raise SystemExit(f"the {server} server did not start (exit code {process.returncode})")


def stop_server(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    process, port = start_server(args.server, directory)
    try:
        command = [
            str(args.loadgen),
            "-url",
            f"https://127.0.0.1:{port}{VALIDATE_PATH}",
            "-body",
            str(directory / REVIEW),
            "-ca",
            str(directory / CERT),
            "-connections",
            str(args.connections),
            "-warmup",
            f"{args.warmup}s",
            "-duration",
            f"{args.duration}s",
            "-procs",
            str(args.procs),
        ]
        loadgen = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            usage = server_usage_over_window(loadgen, process)
            out, err = loadgen.communicate(timeout=args.warmup + args.duration + 60)
        finally:
            if loadgen.poll() is None:
                loadgen.kill()
                loadgen.wait()
    finally:
        stop_server(process)
    if loadgen.returncode != 0:
        raise SystemExit(f"loadgen exited {loadgen.returncode}: {err.strip()[-400:]}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    if result["errors"]:
        raise SystemExit(f"{result['errors']} failed requests; first: {result['first_error']}")
    result["server"] = args.server
    if usage is not None and result["requests"]:
        served = result["requests"]
        result["server_window"] = usage
        result["server_cpu_us_per_request"] = usage["cpu_seconds"] / served * 1e6
        result["server_gc_us_per_request"] = sum(usage["gc_seconds"]) / served * 1e6
    result["python"] = sys.version.split()[0]
    return result


async def per_call_us(call: Callable[[], object], seconds: float = 0.2) -> float:
    """Microseconds per call of ``call`` (awaited if it gives an awaitable), best of
    three timed batches, inside the running loop as the server runs it."""
    best = float("inf")
    for _ in range(3):
        calls, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            for _ in range(50):
                result = call()
                if inspect.isawaitable(result):
                    await result
            calls += 50
            await asyncio.sleep(0)  # a loop turn, as the server has between requests
        best = min(best, elapsed / calls * 1e6)
    return best


async def breakdown(directory: Path) -> dict[str, float]:
    """Microseconds per step of our request handling, in-process, without the network.

    ``route_answer`` is the registered route's whole answer to the body (parse, decode,
    validate, encode, on fresh objects every time); the steps repeat on the same parsed
    objects, so they add up to less. ``metrics`` is what ``_dispatch`` records per request.
    """
    body = (directory / REVIEW).read_bytes()
    server = ours_server(directory)
    handler = handlers(no_pod)[VALIDATE_PATH]
    parsed = parse_json(body)
    request = admission.decode_request(parsed)
    response = await handler.handle(request)
    if not response.allowed:
        raise SystemExit(f"the review is denied: {response.message}")
    # The registered closure and the path's series, as _dispatch uses them.
    serve, series = server._routes[VALIDATE_PATH]

    def count() -> None:
        series.in_flight.inc()
        series.in_flight.dec()
        series.answered(200, 0.001)

    return {
        "parse_json": await per_call_us(lambda: parse_json(body)),
        "decode_request": await per_call_us(lambda: admission.decode_request(parsed)),
        "validate": await per_call_us(lambda: handler.handle(request)),
        "encode_response": await per_call_us(
            lambda: dump(admission.encode_response(request, response))
        ),
        "metrics": await per_call_us(count),
        "route_answer": await per_call_us(lambda: serve(body)),
    }


def run(args: argparse.Namespace) -> None:
    with contextlib.ExitStack() as stack:
        if args.dir is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wh-")))
            prepare(directory)
        else:
            directory = args.dir
        result = measure(args, directory)
        if args.server == "ours":
            result["breakdown_us"] = asyncio.run(breakdown(directory))
    print(json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    serve_parser = sub.add_parser("serve", help="serve until SIGTERM")
    serve_parser.add_argument("--server", choices=SERVERS, required=True)
    serve_parser.add_argument("--dir", type=Path, required=True)
    run_parser = sub.add_parser("run", help="serve, drive with the loadgen, print figures")
    run_parser.add_argument("--server", choices=SERVERS, required=True)
    run_parser.add_argument("--loadgen", type=Path, required=True)
    run_parser.add_argument("--dir", type=Path, help="prepared files (default: fresh ones)")
    run_parser.add_argument("--connections", type=int, default=200)
    run_parser.add_argument("--warmup", type=float, default=2.0)
    run_parser.add_argument("--duration", type=float, default=10.0)
    run_parser.add_argument("--procs", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    prepare_parser = sub.add_parser("prepare", help="write the cert pair and the review")
    prepare_parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    if args.mode == "serve":
        serve(args.server, args.dir)
    elif args.mode == "prepare":
        prepare(args.dir)
        size = (args.dir / REVIEW).stat().st_size
        print(json.dumps({"dir": str(args.dir), "review_bytes": size}), flush=True)
    else:
        run(args)


if __name__ == "__main__":
    main()
