"""The webhook certificate controller: one per replica, leader or not.

Each sync, one at a time: settle the certificates in the Secret (``store``), write them
to the cert dir (``writer``), then give the CA to the webhook configurations and the
CRDs' conversion webhooks (``inject``). A sync runs at start, whenever the Secret, a
webhook configuration or a selected CRD changes (its own informers, scoped by name or
trimmed to what matters), every ``resync_period`` and when the serving certificate
enters its renew window. A failed sync is retried with backoff.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Awaitable

from prometheus_client import CollectorRegistry

from kruise.runtime.cache import Informer
from kruise.runtime.client import (
    CUSTOM_RESOURCE_DEFINITIONS,
    MUTATING_WEBHOOK_CONFIGURATIONS,
    SECRETS,
    VALIDATING_WEBHOOK_CONFIGURATIONS,
    Client,
    KubeObject,
    Resource,
)
from kruise.runtime.clock import Clock, RealClock
from kruise.runtime.log import get_logger
from kruise.runtime.meta import metadata, name_of
from kruise.runtime.workqueue import ItemExponentialFailureRateLimiter, RateLimiter
from kruise.webhook.certs import generate, inject, store
from kruise.webhook.certs.generate import CertBundle
from kruise.webhook.certs.metrics import CertMetrics
from kruise.webhook.certs.options import CertOptions
from kruise.webhook.certs.probe import ServingProbe, https_probe
from kruise.webhook.certs.writer import write_files

BACKOFF_BASE = 0.5
BACKOFF_MAX = 60.0
_RETRY_KEY = "webhook-certs"

log = get_logger("webhook-certs")


class CertsNotReady(Exception):
    """No sync has succeeded yet."""


class CertSyncError(Exception):
    """Some step of a sync failed; the others were still attempted."""


class CertController:
    """Keeps this replica's webhook certificates, and the API server's trust in them,
    in step with the shared Secret. A ``Runnable`` for every replica:

        certs = CertController(client, CertOptions.from_env(port=args.webhook_port),
                               registry=manager.registry, probe=server.check_serving)
        manager.add(certs, needs_leader_election=False)
        manager.add_readyz("webhook-ready", certs.check_ready)
    """

    def __init__(
        self,
        client: Client,
        options: CertOptions | None = None,
        *,
        clock: Clock | None = None,
        registry: CollectorRegistry | None = None,
        probe: ServingProbe | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self.options = options if options is not None else CertOptions.from_env()
        o = self.options
        self.names = generate.serving_names(o.service_name, o.namespace, o.host)
        self.endpoint = inject.Endpoint(o.namespace, o.service_name, o.base_url)
        self._client = client
        self._clock: Clock = clock or RealClock()
        self._probe = probe or https_probe(o.port)
        self._limiter = rate_limiter or ItemExponentialFailureRateLimiter(BACKOFF_BASE, BACKOFF_MAX)
        self._metrics = CertMetrics(registry)
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._ready = asyncio.Event()
        self._bundle: CertBundle | None = None
        self._crds: Informer | None = None
        self.last_error: str | None = None

    @property
    def bundle(self) -> CertBundle | None:
        """What this replica serves since its last successful write of the files."""
        return self._bundle

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def request_sync(self) -> None:
        """Sync as soon as the current sync (if any) is done."""
        self._wake.set()

    # ---- readiness -------------------------------------------------------------------

    async def wait_ready(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait for the first successful sync; False if ``timeout`` seconds passed first."""
        return await _first(self._ready.wait(), timeout, self._clock)

    async def check_ready(self) -> None:
        """A readyz check: fails until a sync has succeeded and the webhook answers
        through the CA this controller injected."""
        if not self._ready.is_set() or self._bundle is None:
            detail = f": {self.last_error}" if self.last_error else ""
            raise CertsNotReady(f"webhook certificates not in place yet{detail}")
        await self._probe(self._bundle.ca_cert)

    # ---- the runnable ----------------------------------------------------------------

    async def start(self, stopping: asyncio.Event) -> None:
        """Sync until ``stopping`` is set; an in-flight sync is finished first."""
        informers = self._informers()
        for informer in informers:
            informer.start()
        try:
            synced = asyncio.gather(*(i.wait_for_sync() for i in informers))
            if not await _first(synced, None, self._clock, stopping):
                return
            await self._loop(stopping)
        finally:
            self._crds = None
            await asyncio.gather(*(i.stop() for i in informers))

    async def _loop(self, stopping: asyncio.Event) -> None:
        delay = 0.0
        self._wake.set()
        while not stopping.is_set():
            await _first(self._wake.wait(), delay, self._clock, stopping)
            if stopping.is_set():
                return
            self._wake.clear()
            try:
                bundle = await self.sync()
            except Exception as err:
                delay = self._limiter.when(_RETRY_KEY)
                log.warning("webhook certificate sync failed", error=str(err), retry_in=delay)
            else:
                self._limiter.forget(_RETRY_KEY)
                delay = self._next_sync_in(bundle)

    def _next_sync_in(self, bundle: CertBundle) -> float:
        due = generate.renewal_due(bundle, self.options.renew_before)
        until_due = (due - self._now()).total_seconds()
        return max(0.0, min(self.options.resync_period, until_due))

    # ---- one sync --------------------------------------------------------------------

    async def sync(self) -> CertBundle:
        """One pass; returns the bundle now served. Raises when any step failed."""
        async with self._lock:
            try:
                bundle = await self._sync()
            except Exception as err:
                self.last_error = str(err) or type(err).__name__
                self._metrics.syncs.labels("error").inc()
                raise
            self.last_error = None
            self._metrics.syncs.labels("success").inc()
            self._ready.set()
            return bundle

    async def _sync(self) -> CertBundle:
        o = self.options
        now = self._now()

        def check(bundle: CertBundle) -> str | None:
            return generate.problem(bundle, self.names, now, o.renew_before)

        async def make(current: CertBundle | None) -> CertBundle:
            return await asyncio.to_thread(
                generate.renew,
                current,
                self.names,
                now,
                renew_before=o.renew_before,
                ca_renew_before=o.ca_renew_before,
            )

        stored = await store.ensure(self._client, o.namespace, o.secret_name, check, make)
        bundle = stored.bundle
        if stored.outcome in (store.Outcome.CREATED, store.Outcome.REPLACED):
            self._metrics.writes.labels("secret").inc()
        changed = await asyncio.to_thread(write_files, o.cert_dir, bundle.files())
        if changed:
            log.info("wrote webhook certificates", cert_dir=str(o.cert_dir), files=changed)
            self._metrics.writes.labels("files").inc()
        self._bundle = bundle
        self._metrics.expiry.set(generate.not_after(bundle.cert).timestamp())
        await self._inject(bundle.ca_cert)
        return bundle

    async def _inject(self, ca_pem: bytes) -> None:
        o = self.options
        targets = [
            (VALIDATING_WEBHOOK_CONFIGURATIONS, o.validating_configuration),
            (MUTATING_WEBHOOK_CONFIGURATIONS, o.mutating_configuration),
        ]
        targets += [(CUSTOM_RESOURCE_DEFINITIONS, n) for n in await self._crd_names()]
        failures = []
        for resource, name in targets:
            kind = resource.kind.lower()
            try:
                result = await inject.inject_ca(self._client, resource, name, self.endpoint, ca_pem)
            except Exception as err:
                failures.append(f"{kind} {name}: {err}")
                continue
            if result is inject.Injection.UPDATED:
                log.info("injected webhook CA", kind=kind, name=name)
                self._metrics.writes.labels(kind).inc()
            elif result is inject.Injection.MISSING:
                log.debug("nothing to inject into", kind=kind, name=name)
        if failures:
            raise CertSyncError("injecting the webhook CA failed: " + "; ".join(failures))

    async def _crd_names(self) -> list[str]:
        """The CRDs to inject, from the informer once it runs, else from a list."""
        if self._crds is not None and self._crds.has_synced:
            crds = self._crds.list()
        else:
            crds = (await self._client.list(CUSTOM_RESOURCE_DEFINITIONS)).items
        return sorted(name_of(c) for c in crds if self.options.selects_crd(c))

    def _now(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self._clock.wall(), datetime.UTC)

    # ---- what wakes a sync -----------------------------------------------------------

    def _informers(self) -> list[Informer]:
        o = self.options

        def wake(*_: KubeObject) -> None:
            self.request_sync()

        def crd_changed(old: KubeObject, new: KubeObject) -> None:
            if o.selects_crd(new) and old.get("spec") != new.get("spec"):
                self.request_sync()

        def crd_added(crd: KubeObject) -> None:
            if o.selects_crd(crd):
                self.request_sync()

        secret = self._informer(SECRETS, o.secret_name, o.namespace)
        secret.add_event_handler(wake, wake, wake)
        configurations = [
            self._informer(MUTATING_WEBHOOK_CONFIGURATIONS, o.mutating_configuration),
            self._informer(VALIDATING_WEBHOOK_CONFIGURATIONS, o.validating_configuration),
        ]
        for configuration in configurations:
            configuration.add_event_handler(wake, wake)
        crds = Informer(
            self._client,
            CUSTOM_RESOURCE_DEFINITIONS,
            transform=_crd_summary,
            clock=self._clock,
        )
        crds.add_event_handler(crd_added, crd_changed)
        self._crds = crds
        return [secret, *configurations, crds]

    def _informer(self, resource: Resource, name: str, namespace: str | None = None) -> Informer:
        return Informer(
            self._client,
            resource,
            namespace=namespace,
            field_selector=f"metadata.name={name}",
            transform=_metadata_only,
            clock=self._clock,
        )


def _metadata_only(obj: KubeObject) -> KubeObject:
    """What a trigger needs: no key material or webhook lists kept in memory."""
    meta = metadata(obj)
    kept = {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion") if k in meta}
    return {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "metadata": kept}


def _crd_summary(crd: KubeObject) -> KubeObject:
    """A CRD without its schemas (the bulk of it): group and conversion are enough."""
    summary = _metadata_only(crd)
    spec = crd.get("spec") or {}
    summary["spec"] = {"group": spec.get("group"), "conversion": spec.get("conversion")}
    return summary


async def _first(
    awaitable: Awaitable[object],
    seconds: float | None,
    clock: Clock,
    stopping: asyncio.Event | None = None,
) -> bool:
    """Wait for ``awaitable``, at most ``seconds`` of ``clock`` time and only until
    ``stopping`` is set; True if it finished."""
    main = asyncio.ensure_future(awaitable)
    waiters: set[asyncio.Future[object]] = {main}
    if seconds is not None:
        waiters.add(asyncio.ensure_future(clock.sleep(seconds)))
    if stopping is not None:
        waiters.add(asyncio.ensure_future(stopping.wait()))
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
    return main.done() and not main.cancelled()
