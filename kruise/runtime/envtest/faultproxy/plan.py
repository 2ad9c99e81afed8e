"""The fault plan: which requests get which fault, decided reproducibly from a seed.

A plan is an ordered list of rules. A rule matches requests by verb, resource and
namespace and fires on a matching request with its ``probability``, at most
``max_count`` times. The first rule that fires decides the request's fault; requests
no rule fires on pass through untouched.

Each decision draws from its own ``random.Random`` keyed by the seed, the rule's
position and how many requests that rule has matched so far. Concurrency changes
which request comes n-th, but given the same seed and the same order of requests the
same requests get the same faults, and a logged ``(seed, rule, match)`` triple names
one decision exactly.
"""

from __future__ import annotations

import enum
import fnmatch
import random
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kruise.runtime.envtest.faultproxy.request import ALL_VERBS, WRITE_VERBS, RequestInfo


class FaultKind(enum.StrEnum):
    """What the proxy does to a request; the values are the names in logs and counts."""

    INTERNAL_ERROR = "internal-error"  # 500, reason InternalError
    UNAVAILABLE = "unavailable"  # 503 with Retry-After, reason ServiceUnavailable
    THROTTLED = "throttled"  # 429 with Retry-After, as API Priority and Fairness answers
    CONFLICT = "conflict"  # 409, reason Conflict; writes only
    LATENCY = "latency"  # wait, then forward
    TIMEOUT = "timeout"  # hold, then 504 Timeout or a dropped connection
    WATCH_CUT = "watch-cut"  # the watch connection breaks after N events, maybe mid-line
    WATCH_EXPIRED = "watch-expired"  # after N events an ERROR event, 410 Expired
    WATCH_GONE = "watch-gone"  # the watch request itself answered 410 Expired
    WATCH_STALL = "watch-stall"  # after N events nothing more, connection kept open


WATCH_KINDS = frozenset(
    {FaultKind.WATCH_CUT, FaultKind.WATCH_EXPIRED, FaultKind.WATCH_GONE, FaultKind.WATCH_STALL}
)


@dataclass(frozen=True)
class Fault:
    """A fault and its parameters; build one with the class methods.

    ``delay`` is a latency or a timeout's hold, in seconds, drawn uniformly from
    ``[delay, delay_max]`` when ``delay_max`` is larger. ``after_events`` is how many
    watch events pass before a watch fault strikes.
    """

    kind: FaultKind
    retry_after: int = 1
    delay: float = 0.0
    delay_max: float = 0.0
    after_events: int = 0
    mid_line: bool = True
    drop_connection: bool = False
    applied: bool = False

    @classmethod
    def internal_error(cls) -> Fault:
        """500 InternalError."""
        return cls(FaultKind.INTERNAL_ERROR)

    @classmethod
    def unavailable(cls, retry_after: int = 1) -> Fault:
        """503 ServiceUnavailable with ``Retry-After: retry_after``."""
        return cls(FaultKind.UNAVAILABLE, retry_after=retry_after)

    @classmethod
    def throttled(cls, retry_after: int = 1) -> Fault:
        """429 TooManyRequests with Retry-After and the APF flow-schema headers."""
        return cls(FaultKind.THROTTLED, retry_after=retry_after)

    @classmethod
    def conflict(cls) -> Fault:
        """409 Conflict, "the object has been modified"; matches writes only."""
        return cls(FaultKind.CONFLICT)

    @classmethod
    def latency(cls, seconds: float, up_to: float | None = None) -> Fault:
        """Forward after ``seconds`` (or a uniform draw up to ``up_to``)."""
        return cls(FaultKind.LATENCY, delay=seconds, delay_max=up_to or seconds)

    @classmethod
    def timeout(
        cls, seconds: float, *, drop_connection: bool = False, applied: bool = False
    ) -> Fault:
        """Hold the request ``seconds``, then answer 504 Timeout as kube-apiserver's
        timeout filter does, or drop the connection unanswered. With ``applied`` the
        request is forwarded all the same: the write happens, the client never hears."""
        return cls(
            FaultKind.TIMEOUT,
            delay=seconds,
            delay_max=seconds,
            drop_connection=drop_connection,
            applied=applied,
        )

    @classmethod
    def watch_cut(cls, after_events: int = 0, *, mid_line: bool = True) -> Fault:
        """Break the watch connection after ``after_events`` events; with ``mid_line``
        half of the next event's line is sent first."""
        return cls(FaultKind.WATCH_CUT, after_events=after_events, mid_line=mid_line)

    @classmethod
    def watch_expired(cls, after_events: int = 0) -> Fault:
        """After ``after_events`` events send an ERROR event holding a 410 Expired Status
        ("too old resource version") and end the stream, as kube-apiserver does."""
        return cls(FaultKind.WATCH_EXPIRED, after_events=after_events)

    @classmethod
    def watch_gone(cls) -> Fault:
        """Answer the watch request itself with 410 Expired."""
        return cls(FaultKind.WATCH_GONE)

    @classmethod
    def watch_stall(cls, after_events: int = 0) -> Fault:
        """Forward ``after_events`` events, then nothing at all (no bookmarks either)
        while the connection stays open."""
        return cls(FaultKind.WATCH_STALL, after_events=after_events)

    def applies_to(self, verb: str) -> bool:
        """Watch faults need a watch; a conflict needs a write."""
        if self.kind in WATCH_KINDS:
            return verb == "watch"
        if self.kind is FaultKind.CONFLICT:
            return verb in WRITE_VERBS
        return True


@dataclass(frozen=True)
class Rule:
    """Requests a fault may hit. Empty filters match everything.

    ``resources`` are glob patterns over kubectl's spelling of a resource:
    ``pods``, ``pods/status``, ``clonesets.apps.kruise.io``, ``*.apps.kruise.io``,
    ``pods/*`` (any subresource of pods), ``*`` (anything). A pattern without a
    ``/`` does not match subresources.
    """

    fault: Fault
    verbs: frozenset[str] = frozenset()
    resources: tuple[str, ...] = ()
    namespaces: frozenset[str] = frozenset()
    probability: float = 1.0
    max_count: int | None = None

    def __post_init__(self) -> None:
        unknown = set(self.verbs) - ALL_VERBS
        if unknown:
            raise ValueError(f"unknown verbs {sorted(unknown)}; known: {sorted(ALL_VERBS)}")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"probability {self.probability} is not within [0, 1]")

    @classmethod
    def of(
        cls,
        fault: Fault,
        *,
        verbs: Iterable[str] = (),
        resources: Iterable[str] = (),
        namespaces: Iterable[str] = (),
        probability: float = 1.0,
        max_count: int | None = None,
    ) -> Rule:
        """A rule from any iterables (or single strings), e.g.
        ``Rule.of(Fault.conflict(), verbs=["update"], resources="pods/status")``."""
        return cls(
            fault,
            frozenset(_strings(verbs)),
            tuple(_strings(resources)),
            frozenset(_strings(namespaces)),
            probability,
            max_count,
        )

    def matches(self, request: RequestInfo) -> bool:
        """Whether ``request`` is one this rule may fire on (before the dice)."""
        if not request.is_resource_request or not self.fault.applies_to(request.verb):
            return False
        if self.verbs and request.verb not in self.verbs:
            return False
        if self.namespaces and request.namespace not in self.namespaces:
            return False
        if not self.resources:
            return True
        name = request.group_resource
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.resources)


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    """A lone string is one value, not its characters."""
    return (values,) if isinstance(values, str) else tuple(values)


@dataclass(frozen=True)
class Decision:
    """A fault chosen for one request; ``rule`` and ``match`` locate the draw."""

    fault: Fault
    rule: int
    match: int
    delay: float = 0.0


@dataclass
class _RuleState:
    matched: int = 0
    fired: int = 0


@dataclass
class FaultPlan:
    """Rules, a seed and an on/off switch; safe to change from any thread.

    ``FaultPlan([...], seed=7)``; ``plan.enabled = False`` (or ``disable()``) stops every
    new fault at once; ``set_rules`` swaps the rules and restarts their counters.
    """

    rules: Sequence[Rule] = ()
    seed: int = 0
    enabled: bool = True
    _states: list[_RuleState] = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.rules = tuple(self.rules)
        self._states = [_RuleState() for _ in self.rules]

    def enable(self) -> None:
        """Let rules fire again."""
        self.enabled = True

    def disable(self) -> None:
        """Stop injecting new faults; requests pass through untouched."""
        self.enabled = False

    def set_rules(self, rules: Iterable[Rule]) -> None:
        """Replace the rules; counters start again from zero."""
        rules = tuple(rules)
        with self._lock:
            self.rules = rules
            self._states = [_RuleState() for _ in rules]

    def decide(self, request: RequestInfo) -> Decision | None:
        """The fault for ``request``, or None to forward it untouched."""
        if not self.enabled:
            return None
        with self._lock:
            for index, (rule, state) in enumerate(zip(self.rules, self._states, strict=True)):
                if not rule.matches(request):
                    continue
                state.matched += 1
                if rule.max_count is not None and state.fired >= rule.max_count:
                    continue
                rng = random.Random(f"{self.seed}:{index}:{state.matched}")
                if rng.random() >= rule.probability:
                    continue
                state.fired += 1
                fault = rule.fault
                delay = rng.uniform(fault.delay, max(fault.delay, fault.delay_max))
                return Decision(fault, index, state.matched, delay)
        return None

    def fired(self) -> list[int]:
        """How often each rule has fired, in rule order."""
        with self._lock:
            return [state.fired for state in self._states]
