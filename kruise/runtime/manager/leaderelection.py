"""Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics.

- Expiry is judged from the local time we last saw the record change plus its
  ``leaseDurationSeconds``, never from the holder's clock.
- A leader renews every ``retry_period``; if no renewal succeeds within
  ``renew_deadline`` it has lost the lease and must stop at once.
- Every API call is bounded by the client's request timeout (the manager builds a
  client with ``max(renew_deadline / 2, 1)``), so one stuck call cannot outlive the lease.
- Writes carry the resourceVersion last read, so two candidates never both win.
- ``release()`` hands the lease over on a graceful shutdown: holder emptied, duration 1 s.
"""

from __future__ import annotations

import asyncio
import datetime
import random
from dataclasses import dataclass
from typing import Any

from kruise.runtime.client import Client, ClientError, Conflict, NotFound
from kruise.runtime.client.resource import LEASES
from kruise.runtime.clock import Clock, RealClock
from kruise.runtime.log import get_logger
from kruise.runtime.metrics import LeaderElectionMetrics

JITTER_FACTOR = 1.2
# How long past its lease a leader may go without renewing before it reports unhealthy.
RENEWAL_TOLERANCE = 20.0
log = get_logger("leaderelection")


class LeadershipLost(Exception):
    """The lease could not be renewed within the renew deadline."""


@dataclass(frozen=True)
class LeaderElectionConfig:
    """Which Lease to contend for, as whom, and client-go's three timings. Timings that
    cannot work (a renew deadline not shorter than the lease duration, say) raise
    ``ValueError``."""

    name: str
    namespace: str
    identity: str
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0

    def __post_init__(self) -> None:
        if not self.lease_duration > self.renew_deadline:
            raise ValueError("lease duration must be greater than the renew deadline")
        if not self.renew_deadline > JITTER_FACTOR * self.retry_period:
            raise ValueError("renew deadline must be greater than 1.2 x the retry period")
        if min(self.lease_duration, self.renew_deadline, self.retry_period) < 1:
            raise ValueError("lease duration, renew deadline and retry period must be >= 1s")

    @property
    def request_timeout(self) -> float:
        """The longest one Lease request may take: half the renew deadline, at least 1 s."""
        return max(self.renew_deadline / 2, 1.0)


def _micro_time(wall: float) -> str:
    moment = datetime.datetime.fromtimestamp(wall, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaderElector:
    """Acquires, renews and releases one Lease on behalf of ``config.identity``.

    At most one candidate holds the Lease at a time: every write carries the resourceVersion
    last read. A leader that cannot renew within the renew deadline raises
    ``LeadershipLost`` from ``keep_renewing`` and must stop leading at once.
    """

    def __init__(
        self,
        client: Client,
        config: LeaderElectionConfig,
        *,
        clock: Clock | None = None,
        metrics: LeaderElectionMetrics | None = None,
    ) -> None:
        self.client = client
        self.config = config
        self.clock = clock or RealClock()
        self.metrics = metrics
        self._lease: dict[str, Any] | None = None  # last lease object read or written
        self._observed_spec: dict[str, Any] | None = None
        self._observed_at = 0.0
        self._leading = False
        self._renewed_at = 0.0
        self._waiting_for = ""  # the holder last logged as the one we wait for
        if metrics:
            metrics.init_lease(config.name)

    @property
    def is_leader(self) -> bool:
        """Whether we hold the Lease, as far as the last acquire or renewal attempt knows."""
        return self._leading

    @property
    def observed_holder(self) -> str:
        """The holder identity in the Lease as last read ("" when none)."""
        return str((self._observed_spec or {}).get("holderIdentity") or "")

    def check_renewal(self) -> None:
        """Raise when we lead but have not renewed for longer than the lease allows."""
        if not self._leading:
            return
        overdue = self.clock.now() - self._renewed_at - self.config.lease_duration
        if overdue > RENEWAL_TOLERANCE:
            raise RuntimeError(f"lease {self._lease_key} not renewed for {overdue:.0f}s too long")

    async def acquire(self) -> None:
        """Return once we hold the lease; retries every jittered retry period, and at
        once when a watch shows the holder released it (a graceful handover)."""
        log.info("attempting to acquire leader lease", lease=self._lease_key)
        released = asyncio.Event()
        watcher = asyncio.create_task(self._watch_for_release(released))
        try:
            while not await self._try_acquire_or_renew():
                jitter = random.random() * JITTER_FACTOR * self.config.retry_period
                sleeping = asyncio.create_task(self.clock.sleep(self.config.retry_period + jitter))
                woken = asyncio.create_task(released.wait())
                await asyncio.wait({sleeping, woken}, return_when=asyncio.FIRST_COMPLETED)
                sleeping.cancel()
                woken.cancel()
                released.clear()
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        log.info("successfully acquired lease", lease=self._lease_key)

    async def _watch_for_release(self, released: asyncio.Event) -> None:
        selector = f"metadata.name={self.config.name}"
        while True:
            try:
                stream = self.client.watch(
                    LEASES, self.config.namespace, field_selector=selector, timeout_seconds=300
                )
                async with stream as events:
                    async for event_type, lease in events:
                        if event_type not in {"ADDED", "MODIFIED"}:
                            continue
                        if not (lease.get("spec") or {}).get("holderIdentity"):
                            released.set()
            except ClientError:
                pass
            await self.clock.sleep(self.config.retry_period)

    async def keep_renewing(self) -> None:
        """Renew until cancelled; raise LeadershipLost when a renewal window fails."""
        while True:
            started = self.clock.now()
            while not await self._try_acquire_or_renew():
                if self.clock.now() - started >= self.config.renew_deadline:
                    self._set_leading(False)
                    log.error("failed to renew lease in time", lease=self._lease_key)
                    raise LeadershipLost(f"leader election lost for {self._lease_key}")
                await self.clock.sleep(self.config.retry_period)
            await self.clock.sleep(self.config.retry_period)

    async def release(self) -> None:
        """Give the lease up so a standby takes over without waiting for expiry."""
        if not self._leading or self._lease is None:
            return
        try:
            try:
                await self.client.update(LEASES, self._released(self._lease))
            except Conflict:
                # A renewal cancelled in flight may have been applied without our seeing
                # its answer: read the Lease again and release it if it is still ours.
                current = await self.client.get(LEASES, self.config.name, self.config.namespace)
                if (current.get("spec") or {}).get("holderIdentity") != self.config.identity:
                    raise
                await self.client.update(LEASES, self._released(current))
            log.info("released leader lease", lease=self._lease_key)
        except ClientError as err:
            log.warning("failed to release lease", lease=self._lease_key, error=str(err))
        self._set_leading(False)

    def _released(self, lease: dict[str, Any]) -> dict[str, Any]:
        now = _micro_time(self.clock.wall())
        spec = {
            **(lease.get("spec") or {}),
            "holderIdentity": None,
            "leaseDurationSeconds": 1,
            "acquireTime": now,
            "renewTime": now,
        }
        return {**lease, "spec": spec}

    # ---- one attempt ---------------------------------------------------------------

    @property
    def _lease_key(self) -> str:
        return f"{self.config.namespace}/{self.config.name}"

    def _set_leading(self, leading: bool) -> None:
        self._leading = leading
        if self.metrics:
            self.metrics.master_status.labels(self.config.name).set(1 if leading else 0)

    def _desired_spec(self, current: dict[str, Any] | None) -> dict[str, Any]:
        now = _micro_time(self.clock.wall())
        current = current or {}
        ours = current.get("holderIdentity") == self.config.identity
        transitions = int(current.get("leaseTransitions") or 0)
        return {
            "holderIdentity": self.config.identity,
            "leaseDurationSeconds": round(self.config.lease_duration),
            "acquireTime": current.get("acquireTime", now) if ours else now,
            "renewTime": now,
            "leaseTransitions": transitions if ours or not current else transitions + 1,
        }

    async def _try_acquire_or_renew(self) -> bool:
        try:
            async with asyncio.timeout(self.config.request_timeout * 2):
                return await self._attempt()
        except (TimeoutError, ClientError) as err:
            log.warning("lease attempt failed", lease=self._lease_key, error=str(err))
            return False

    async def _attempt(self) -> bool:
        # Fast path: a leader renews from the object it wrote last.
        if self._leading and self._lease is not None:
            lease = {**self._lease, "spec": self._desired_spec(self._lease.get("spec"))}
            try:
                self._remember(await self.client.update(LEASES, lease))
                return True
            except ClientError:
                if self.metrics:
                    self.metrics.slowpath.labels(self.config.name).inc()
        try:
            current = await self.client.get(LEASES, self.config.name, self.config.namespace)
        except NotFound:
            return await self._create()
        spec = current.get("spec") or {}
        if spec != self._observed_spec:
            self._observed_spec = spec
            self._observed_at = self.clock.now()
        holder = spec.get("holderIdentity")
        duration = float(spec.get("leaseDurationSeconds") or self.config.lease_duration)
        held_by_other = bool(holder) and holder != self.config.identity
        if held_by_other and self._observed_at + duration > self.clock.now():
            self._set_leading(False)
            self._note_holder(str(holder), self._observed_at + duration - self.clock.now())
            return False
        lease = {**current, "spec": self._desired_spec(spec)}
        try:
            self._remember(await self.client.update(LEASES, lease))
        except Conflict:
            return False
        if held_by_other:
            log.info("took over an expired lease", lease=self._lease_key, previous_holder=holder)
        return True

    def _note_holder(self, holder: str, expires_in: float) -> None:
        """One line per holder we wait for: a manager that vanished without releasing the
        Lease holds it until it expires, and the operator should see whom we wait on."""
        if holder == self._waiting_for:
            return
        self._waiting_for = holder
        log.info(
            "lease held by another candidate; waiting until it is released or expires",
            lease=self._lease_key,
            holder=holder,
            expires_in=round(max(expires_in, 0.0), 1),
        )

    async def _create(self) -> bool:
        lease = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": self.config.name, "namespace": self.config.namespace},
            "spec": self._desired_spec(None),
        }
        try:
            self._remember(await self.client.create(LEASES, lease))
        except ClientError:
            return False
        return True

    def _remember(self, lease: dict[str, Any]) -> None:
        was_leading = self._leading
        self._lease = lease
        self._observed_spec = lease.get("spec") or {}
        self._observed_at = self._renewed_at = self.clock.now()
        self._set_leading(True)
        if not was_leading:
            log.info("became leader", lease=self._lease_key, identity=self.config.identity)
