from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs

from kruise.runtime.clock import FakeClock
from kruise.runtime.expectations import (
    DEFAULT_TIMEOUT,
    REVISION_LABEL,
    ResourceVersionExpectations,
    ScaleAction,
    ScaleExpectations,
    UpdateExpectations,
)

KEY = "default/web"
EXPIRED = "kruise_expectations_expired_total"


def expired(registry: CollectorRegistry, kind: str) -> float | None:
    return registry.get_sample_value(EXPIRED, {"kind": kind})


def pod(name: str, revision: str = "", resource_version: str = "1") -> dict[str, Any]:
    return {
        "metadata": {
            "namespace": "default",
            "name": name,
            "uid": f"uid-{name}",
            "resourceVersion": resource_version,
            "labels": {REVISION_LABEL: revision},
        }
    }


def test_counters_start_at_zero_for_each_kind() -> None:
    registry = CollectorRegistry()
    ScaleExpectations(registry=registry)
    ResourceVersionExpectations(registry=registry)
    UpdateExpectations(registry=registry)
    for kind in ("scale", "resource_version", "update"):
        assert expired(registry, kind) == 0.0


async def test_scale_expires_after_the_default_timeout() -> None:
    clock, registry = FakeClock(), CollectorRegistry()
    exp = ScaleExpectations(clock=clock, registry=registry)
    exp.expect_scale(KEY, ScaleAction.CREATE, "web-a")
    exp.expect_scale(KEY, ScaleAction.DELETE, "web-old")

    await clock.advance(DEFAULT_TIMEOUT - 1)
    with capture_logs() as logs:
        assert exp.satisfied_scale(KEY)[0] is False
    assert logs == []

    await clock.advance(1)
    with capture_logs() as logs:
        assert exp.satisfied_scale(KEY) == (True, 0.0, {})
    assert KEY not in exp
    assert expired(registry, "scale") == 2.0
    assert len(logs) == 1
    assert logs[0]["log_level"] == "warning"
    assert logs[0]["kind"] == "scale"
    assert logs[0]["key"] == KEY
    assert logs[0]["pending"] == {"create": ["web-a"], "delete": ["web-old"]}


async def test_scale_expires_only_items_older_than_the_timeout() -> None:
    clock, registry = FakeClock(), CollectorRegistry()
    exp = ScaleExpectations(clock=clock, timeout=60, registry=registry)
    exp.expect_scale(KEY, ScaleAction.CREATE, "web-a")
    await clock.advance(50)
    exp.expect_scale(KEY, ScaleAction.CREATE, "web-b")
    await clock.advance(10)

    with capture_logs() as logs:
        assert exp.satisfied_scale(KEY) == (False, 10.0, {ScaleAction.CREATE: ["web-b"]})
    assert [log["pending"] for log in logs] == [{"create": ["web-a"]}]
    assert expired(registry, "scale") == 1.0


async def test_update_expires_after_the_timeout() -> None:
    clock, registry = FakeClock(), CollectorRegistry()
    exp = UpdateExpectations(clock=clock, timeout=30, registry=registry)
    exp.expect_updated(KEY, "rev-2", pod("web-a", "rev-1"))
    exp.expect_updated(KEY, "rev-2", pod("web-b", "rev-1"))
    await clock.advance(29.5)
    assert exp.is_satisfied(KEY) == (False, 29.5, ["web-a", "web-b"])

    await clock.advance(0.5)
    with capture_logs() as logs:
        assert exp.is_satisfied(KEY) == (True, 0.0, [])
    assert KEY not in exp
    assert expired(registry, "update") == 2.0
    assert [(log["key"], log["pending"], log["revision"]) for log in logs] == [
        (KEY, ["web-a", "web-b"], "rev-2")
    ]


async def test_resource_version_expires_after_the_timeout() -> None:
    clock, registry = FakeClock(), CollectorRegistry()
    exp = ResourceVersionExpectations(clock=clock, timeout=30, registry=registry)
    exp.expect(pod("web-a", resource_version="12"))
    await clock.advance(29)
    assert exp.is_satisfied(pod("web-a", resource_version="11")) == (False, 29.0)

    await clock.advance(1)
    with capture_logs() as logs:
        assert exp.is_satisfied(pod("web-a", resource_version="11")) == (True, 0.0)
    assert "uid-web-a" not in exp
    assert expired(registry, "resource_version") == 1.0
    assert len(logs) == 1
    assert logs[0]["key"] == "default/web-a"
    assert logs[0]["uid"] == "uid-web-a"
    assert "12" in logs[0]["pending"]


async def test_satisfied_in_time_is_neither_logged_nor_counted() -> None:
    clock, registry = FakeClock(), CollectorRegistry()
    exp = ResourceVersionExpectations(clock=clock, timeout=30, registry=registry)
    exp.expect(pod("web-a", resource_version="12"))
    await clock.advance(31)
    with capture_logs() as logs:
        assert exp.is_satisfied(pod("web-a", resource_version="12")) == (True, 0.0)
    assert logs == []
    assert expired(registry, "resource_version") == 0.0


async def test_works_without_a_registry() -> None:
    clock = FakeClock()
    exp = ScaleExpectations(clock=clock, timeout=5)
    exp.expect_scale(KEY, ScaleAction.CREATE, "web-a")
    await clock.advance(5)
    with capture_logs():
        assert exp.satisfied_scale(KEY)[0] is True


async def test_instances_share_one_counter_per_registry() -> None:
    clock, registry = FakeClock(), CollectorRegistry()
    first = ScaleExpectations(clock=clock, timeout=5, registry=registry)
    second = ScaleExpectations(clock=clock, timeout=5, registry=registry)
    first.expect_scale("default/a", ScaleAction.CREATE, "a-1")
    second.expect_scale("default/b", ScaleAction.DELETE, "b-1")
    await clock.advance(5)
    with capture_logs():
        first.satisfied_scale("default/a")
        second.satisfied_scale("default/b")
    assert expired(registry, "scale") == 2.0


async def test_a_controller_requeueing_until_the_timeout_never_blocks() -> None:
    # The cache never shows the pod (the #1765 leak): requeueing after the time left
    # must end with the expectation satisfied, not with the controller stuck.
    clock = FakeClock()
    start = clock.now()
    exp = ScaleExpectations(clock=clock, timeout=300)
    exp.expect_scale(KEY, ScaleAction.CREATE, "web-lost")
    requeues = 0
    with capture_logs():
        while not (check := exp.satisfied_scale(KEY))[0]:
            requeues += 1
            assert requeues <= 10, "still blocked"
            await clock.advance(min(60.0, exp.timeout - check[1]))
    assert requeues == 5
    assert clock.now() - start == 300.0


@pytest.mark.parametrize("timeout", [0, -1])
def test_timeout_must_be_positive(timeout: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        ScaleExpectations(timeout=timeout)
